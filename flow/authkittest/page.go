package authkittest

import (
	"html"
	"io"
	"net/http"
	"time"
)

// pageStyle is the pages' style sheet. The server writes pages with
// html.EscapeString rather than html/template, whose package
// initialisation every authwrap start would pay for (this package is
// linked into the binary for dev-server and demo).
const pageStyle = `<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}
.code{font:600 2rem ui-monospace,monospace;letter-spacing:.15em;padding:.5rem 1rem;background:#f2f2f2;border-radius:.4rem;display:inline-block}
input[type=text]{font:1.5rem ui-monospace,monospace;letter-spacing:.1em;padding:.4rem;width:12rem;text-transform:uppercase}
button{font-size:1rem;padding:.6rem 1.4rem;margin-right:.6rem;border-radius:.4rem;border:1px solid #888;cursor:pointer}
#approve{background:#1a7f37;color:#fff;border-color:#1a7f37}
.note{color:#555;font-size:.9rem}
</style>`

// safeHTML is markup built here, with every outside value escaped.
type safeHTML string

const enterForm safeHTML = `<form method="post" action="/device">
<label for="user_code">Code</label>
<input type="text" id="user_code" name="user_code" autocomplete="off" autofocus required placeholder="XXXX-XXXX">
<button type="submit" id="continue">Continue</button>
</form>`

// confirmForm is the approve/deny form for a code.
func confirmForm(code, email, app, clientID string) safeHTML {
	e := html.EscapeString
	return safeHTML(`<p>Confirm that this code matches the one your terminal shows:</p>
<p class="code" id="code">` + e(code) + `</p>
<p>Signing in as <b>` + e(email) + `</b> to <b>` + e(app) + `</b> (client ` + e(clientID) + `).</p>
<form method="post" action="/device/decide">
<input type="hidden" name="user_code" value="` + e(code) + `">
<button type="submit" name="action" value="approve" id="approve">Approve</button>
<button type="submit" name="action" value="deny" id="deny">Deny</button>
</form>`)
}

func page(w http.ResponseWriter, status int, title, msg string, form safeHTML) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	t, m := html.EscapeString(title), html.EscapeString(msg)
	_, _ = io.WriteString(w, `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>`+t+`</title>
`+pageStyle+`</head><body>
<h1>`+t+`</h1>
<p>`+m+`</p>
`+string(form)+`
<p class="note">authwrap local AuthKit server: for development and tests only.</p>
</body></html>`)
}

// handleDevicePage shows the code entry form, or, with a user_code (from
// verification_uri_complete or the form), the approve/deny confirmation.
func (s *Server) handleDevicePage(w http.ResponseWriter, r *http.Request) {
	code := r.FormValue("user_code")
	if code == "" {
		page(w, http.StatusOK, "Sign in a device", "Enter the code shown in your terminal.", enterForm)
		return
	}
	s.mu.Lock()
	dc := s.byUser[normaliseUserCode(code)]
	ok := dc != nil && dc.state == pending && time.Now().Before(dc.expires)
	s.mu.Unlock()
	if !ok {
		page(w, http.StatusNotFound, "Code not found",
			"That code is unknown, already used or expired. Check the code in your terminal and try again.",
			enterForm)
		return
	}
	page(w, http.StatusOK, "Approve sign-in", "An application is asking to sign in on your behalf.",
		confirmForm(dc.userCode, s.Config.User.Email, s.Config.AppName, s.Config.ClientID))
}

func (s *Server) handleDecide(w http.ResponseWriter, r *http.Request) {
	code := r.FormValue("user_code")
	var err error
	approve := r.FormValue("action") == "approve"
	if approve {
		err = s.Approve(code)
	} else {
		err = s.Deny(code)
	}
	switch {
	case err != nil:
		page(w, http.StatusNotFound, "Code not found", "That code is unknown, already used or expired.", "")
	case approve:
		page(w, http.StatusOK, "Device approved", "You are signed in. You can close this window and return to your terminal.", "")
	default:
		page(w, http.StatusOK, "Request denied", "The sign-in was denied. Nothing was shared with the device.", "")
	}
}
