package authkittest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

type session struct {
	id       string
	standard bool
	scope    string
	orgID    string
	revoked  bool
}

// refreshState remembers a refresh token, and once used, the answer it got
// so a replay inside the grace window gets the same answer.
type refreshState struct {
	session *session
	usedAt  time.Time
	answer  map[string]any
}

func (s *Server) newSessionLocked(standard bool, scope string, orgs []string) *session {
	ses := &session{id: "session_" + randomString(12), standard: standard, scope: scope}
	if len(orgs) > 0 {
		ses.orgID = orgs[0]
	}
	s.sessions[ses.id] = ses
	return ses
}

func hasScope(scope, want string) bool { return slices.Contains(strings.Fields(scope), want) }

// issueLocked mints an access token (and a refresh token when the flavour
// and scope call for one) for ses, in the flavour's answer shape.
func (s *Server) issueLocked(ses *session) map[string]any {
	now := time.Now()
	claims := jwt.Claims{
		Issuer:   s.URL,
		Subject:  s.Config.User.ID,
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(s.Config.AccessTokenTTL)),
		ID:       "jti_" + randomString(9),
	}
	extra := map[string]any{"sid": ses.id, "client_id": s.Config.ClientID}
	if ses.orgID != "" {
		extra["org_id"] = ses.orgID
		extra["role"] = "member"
	}
	access, err := jwt.Signed(s.signer).Claims(claims).Claims(extra).Serialize()
	if err != nil {
		panic("authkittest: signing: " + err.Error())
	}
	resp := map[string]any{"access_token": access}
	s.secrets = append(s.secrets, access)
	wantRefresh := !ses.standard || hasScope(ses.scope, "offline_access")
	if wantRefresh {
		rt := "rt_" + randomString(24)
		s.refresh[rt] = &refreshState{session: ses}
		resp["refresh_token"] = rt
		s.secrets = append(s.secrets, rt)
	}
	if ses.standard {
		resp["token_type"] = "Bearer"
		resp["expires_in"] = int(s.Config.AccessTokenTTL / time.Second)
		if hasScope(ses.scope, "openid") {
			id, _ := jwt.Signed(s.signer).Claims(jwt.Claims{Issuer: s.URL, Subject: s.Config.User.ID,
				Audience: jwt.Audience{s.Config.ClientID}, IssuedAt: claims.IssuedAt, Expiry: claims.Expiry}).
				Claims(map[string]any{"email": s.Config.User.Email}).Serialize()
			resp["id_token"] = id
			s.secrets = append(s.secrets, id)
		}
		if ses.scope != "" {
			resp["scope"] = ses.scope
		}
	} else {
		resp["user"] = s.Config.User
		resp["authentication_method"] = "Password"
		if ses.orgID != "" {
			resp["organization_id"] = ses.orgID
		}
	}
	return resp
}

// handleRefresh rotates a refresh token. A token replayed within the grace
// window gets the answer its first use got; later, invalid_grant.
func (s *Server) handleRefresh(w http.ResponseWriter, form url.Values, standard bool) {
	if !s.knownClient(w, form) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.refresh[form.Get("refresh_token")]
	if rs == nil || rs.session.standard != standard || rs.session.revoked {
		writeError(w, http.StatusBadRequest, "invalid_grant", "invalid refresh token")
		return
	}
	if !rs.usedAt.IsZero() {
		if s.Config.RefreshGrace > 0 && time.Since(rs.usedAt) <= s.Config.RefreshGrace {
			writeJSON(w, http.StatusOK, rs.answer)
			return
		}
		writeError(w, http.StatusBadRequest, "invalid_grant", "Refresh token already exchanged.")
		return
	}
	if org := form.Get("organization_id"); org != "" {
		if standard {
			writeError(w, http.StatusBadRequest, "invalid_request", "organization_id is not supported here")
			return
		}
		if !slices.Contains(s.Config.Organizations, org) {
			writeErrorCode(w, http.StatusForbidden, "organization_membership_not_found", "the user is not a member of "+org)
			return
		}
		rs.session.orgID = org
	}
	rs.usedAt = time.Now()
	rs.answer = s.issueLocked(rs.session)
	writeJSON(w, http.StatusOK, rs.answer)
}

// RevokeSessions ends every session, so every refresh token gets
// invalid_grant from now on, as when an administrator signs a user out.
func (s *Server) RevokeSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ses := range s.sessions {
		ses.revoked = true
	}
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if ses := s.sessions[r.URL.Query().Get("session_id")]; ses != nil {
		ses.revoked = true
	}
	s.mu.Unlock()
	page(w, http.StatusOK, "Signed out", "The session has ended.", "")
}

func (s *Server) handleJWKS(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &s.key.PublicKey, KeyID: s.keyID, Algorithm: string(jose.RS256), Use: "sig",
	}}})
}

// handleDiscovery lists the endpoints under the origin the client used
// (as a real server does under its one public name), so a client that
// reaches it as https://authkit.test:PORT through a proxy sees that
// issuer.
func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	origin := scheme + "://" + r.Host
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                origin,
		"device_authorization_endpoint":         origin + "/oauth2/device_authorization",
		"token_endpoint":                        origin + "/oauth2/token",
		"jwks_uri":                              origin + "/oauth2/jwks",
		"grant_types_supported":                 []string{"urn:ietf:params:oauth:grant-type:device_code", "refresh_token", clientCredentialsGrant},
		"token_endpoint_auth_methods_supported": append([]string{"none"}, s.Config.MachineAuthMethods...),
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"response_types_supported":              []string{"code"},
	})
}
