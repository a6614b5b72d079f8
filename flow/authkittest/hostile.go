package authkittest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Hostile answers. Each returns a Fault that plays a server trying to
// get a client to misbehave; queue it with Server.Fail for the endpoint
// under attack.

// Escapes is text a hostile server puts in anything a client may show:
// an OSC 52 clipboard write, a title change, a screen clear with cursor
// movement, a carriage return that overwrites the line, the one-byte C1
// CSI and a right-to-left override.
const Escapes = "\x1b]52;c;cm0gLXJmIH4K\x07\x1b]0;pwned\x07\x1b[2J\x1b[1;1H\rFAKE\u009b31m\u202e"

// Redirect answers with status (301, 302, 303, 307 or 308) and a Location.
func Redirect(status int, location string) Fault {
	return Fault{Status: status, Header: http.Header{"Location": {location}}, Body: " "}
}

// Answer answers with status and v encoded as JSON.
func Answer(status int, v any) Fault {
	b, err := json.Marshal(v)
	if err != nil {
		panic("authkittest: " + err.Error())
	}
	return Fault{Status: status, Body: string(b)}
}

// TokenAnswer answers a token request with a 200 carrying accessToken
// as given (a token with CR/LF, spaces, megabytes of it), a refresh token
// and a lifetime, in the standard shape both flavours read.
func TokenAnswer(accessToken string) Fault {
	return Answer(http.StatusOK, map[string]any{
		"access_token": accessToken, "refresh_token": "rt_" + randomString(24),
		"token_type": "Bearer", "expires_in": 300,
	})
}

// ErrorAnswer answers with an OAuth error whose description is desc
// (Escapes, say), in both body shapes at once: error/error_description
// and code/message.
func ErrorAnswer(status int, code, desc string) Fault {
	return Answer(status, map[string]string{"error": code, "error_description": desc, "code": code, "message": desc})
}

// RawAnswer writes a whole HTTP/1.1 answer by hand: a status line with
// reason (which may hold escape sequences), the given header lines and
// body.
func RawAnswer(status int, reason string, headers []string, body string) Fault {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, reason)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	return Fault{Raw: b.String()}
}
