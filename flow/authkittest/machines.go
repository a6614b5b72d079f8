package authkittest

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

const clientCredentialsGrant = "client_credentials"

// ErrUnknownMachine is returned by DisableMachine for a client ID the
// server has no machine for.
var ErrUnknownMachine = errors.New("authkittest: no machine with that client ID")

// AddMachine adds the M2M application clientID, or replaces it (a new
// secret, say, as when one is rotated).
func (s *Server) AddMachine(clientID string, m Machine) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.machines[clientID] = m
	s.secrets = append(s.secrets, m.Secret)
}

// DisableMachine makes the client-credentials grant answer the machine
// clientID with unauthorized_client from now on.
func (s *Server) DisableMachine(clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.machines[clientID]
	if !ok {
		return ErrUnknownMachine
	}
	m.Disabled = true
	s.machines[clientID] = m
	return nil
}

// handleClientCredentials answers RFC 6749 section 4.4's grant as WorkOS
// Connect does for an M2M application: the client authenticates with its
// secret in one way the server takes (RFC 6749 section 2.3.1), and gets
// a JWT for its organization, with no refresh token.
func (s *Server) handleClientCredentials(w http.ResponseWriter, r *http.Request, form url.Values, standard bool) {
	if !standard {
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", "the client_credentials grant is WorkOS Connect's: use /oauth2/token on the AuthKit domain")
		return
	}
	id, secret, method, ok := s.clientCredentials(w, r, form)
	if !ok {
		return
	}
	s.mu.Lock()
	m, known := s.machines[id]
	s.mu.Unlock()
	if !known || subtle.ConstantTimeCompare([]byte(m.Secret), []byte(secret)) != 1 || m.Secret == "" {
		writeInvalidClient(w, method, "Invalid client ID or secret.")
		return
	}
	if m.Disabled {
		writeError(w, http.StatusBadRequest, "unauthorized_client", "The client is not authorized to use the client_credentials grant type.")
		return
	}
	granted := m.Scopes
	if scope := form.Get("scope"); strings.TrimSpace(scope) != "" {
		granted = strings.Fields(scope)
		var lacking []string
		for _, sc := range granted {
			if !slices.Contains(m.Scopes, sc) {
				lacking = append(lacking, sc)
			}
		}
		if len(lacking) > 0 {
			writeError(w, http.StatusBadRequest, "invalid_scope", "The application is not granted the requested scope(s): "+strings.Join(lacking, ", ")+".")
			return
		}
	}
	now := time.Now()
	claims := jwt.Claims{
		Issuer:   s.URL,
		Subject:  id,
		Audience: jwt.Audience{s.Config.ClientID},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(s.Config.AccessTokenTTL)),
		ID:       "jti_" + randomString(9),
	}
	extra := map[string]any{}
	if m.OrganizationID != "" {
		extra["org_id"] = m.OrganizationID
	}
	if len(granted) > 0 {
		extra["scope"] = strings.Join(granted, " ")
	}
	access, err := jwt.Signed(s.signer).Claims(claims).Claims(extra).Serialize()
	if err != nil {
		panic("authkittest: signing: " + err.Error())
	}
	s.mu.Lock()
	s.secrets = append(s.secrets, access)
	s.mu.Unlock()
	resp := map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(s.Config.AccessTokenTTL / time.Second),
	}
	if len(granted) > 0 {
		resp["scope"] = strings.Join(granted, " ")
	}
	writeJSON(w, http.StatusOK, resp)
}

// clientCredentials reads how the client authenticated: HTTP Basic with
// the form-urlencoded ID and secret, or the form's client_id and
// client_secret, in one of the ways the server takes. It answers the
// request itself and reports false when the client used none, both
// (invalid_request, RFC 6749 section 2.3), or one the server does not
// take.
func (s *Server) clientCredentials(w http.ResponseWriter, r *http.Request, form url.Values) (id, secret, method string, ok bool) {
	user, pass, basic := r.BasicAuth()
	_, inForm := form["client_secret"]
	switch {
	case basic && inForm:
		writeError(w, http.StatusBadRequest, "invalid_request", "the client authenticated in more than one way (HTTP Basic and client_secret)")
		return "", "", "", false
	case basic:
		method = AuthMethodBasic
		var err1, err2 error
		id, err1 = url.QueryUnescape(user)
		secret, err2 = url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			writeInvalidClient(w, method, "the Basic credentials are not form-urlencoded")
			return "", "", "", false
		}
		if cid := form.Get("client_id"); cid != "" && cid != id {
			writeError(w, http.StatusBadRequest, "invalid_request", "client_id differs from the client that authenticated")
			return "", "", "", false
		}
	case inForm:
		method = AuthMethodPost
		id, secret = form.Get("client_id"), form.Get("client_secret")
	default:
		if r.Header.Get("Authorization") != "" {
			writeInvalidClient(w, AuthMethodBasic, "unsupported client authentication")
			return "", "", "", false
		}
		writeInvalidClient(w, "", "client authentication is required for the client_credentials grant")
		return "", "", "", false
	}
	if !slices.Contains(s.Config.MachineAuthMethods, method) {
		writeInvalidClient(w, method, "this server does not take "+method)
		return "", "", "", false
	}
	return id, secret, method, true
}

// writeInvalidClient answers 401 invalid_client, with the challenge RFC
// 6749 section 5.2 asks for when the client tried HTTP Basic.
func writeInvalidClient(w http.ResponseWriter, method, desc string) {
	if method == AuthMethodBasic {
		w.Header().Set("WWW-Authenticate", `Basic realm="authkittest"`)
	}
	writeError(w, http.StatusUnauthorized, "invalid_client", desc)
}
