package authkittest

import (
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Pending-authentication codes WorkOS answers an authenticate grant with
// (403, {code, message, pending_authentication_token, user, ...}) when the
// sign-in needs one more step.
const (
	// CodeOrganizationSelection: the user belongs to several organizations.
	CodeOrganizationSelection = "organization_selection_required"
	// CodeEmailVerification: the user's email address is not verified.
	CodeEmailVerification = "email_verification_required"
	// CodeMFAEnrollment: the user must enrol a second factor.
	CodeMFAEnrollment = "mfa_enrollment"
	// CodeMFAChallenge: the user must answer a second-factor challenge.
	CodeMFAChallenge = "mfa_challenge"
	// CodeSSORequired: the user's organization requires its SSO.
	CodeSSORequired = "sso_required"
	// CodeOrganizationAuthMethods: the organization does not allow the
	// way the user signed in.
	CodeOrganizationAuthMethods = "organization_authentication_methods_required"
)

// pendingMessages are the messages the server sends with each code.
var pendingMessages = map[string]string{
	CodeOrganizationSelection:   "The user must choose an organization to sign in to.",
	CodeEmailVerification:       "Email ownership must be verified before authentication.",
	CodeMFAEnrollment:           "The user must enroll in MFA to finish authenticating.",
	CodeMFAChallenge:            "The user must complete an MFA challenge to finish authenticating.",
	CodeSSORequired:             "User must authenticate using one of the matching connections.",
	CodeOrganizationAuthMethods: "The organization does not allow this authentication method.",
}

// pendingTTL is how long a pending authentication token may be used.
const pendingTTL = 10 * time.Minute

// pendingAuth is a sign-in waiting for one more step.
type pendingAuth struct {
	code     string
	standard bool
	scope    string
	expires  time.Time
}

// RequirePending makes the next approved device sign-in answer with code
// (one of the Code constants, or any other) instead of tokens, as WorkOS
// does when a sign-in needs one more step. Only
// organization_selection_required can then be completed (with the
// organization-selection grant); the others end the sign-in.
func (s *Server) RequirePending(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requires = append(s.requires, code)
}

// pendingLocked decides whether an approved code is answered with a
// pending-authentication error, and builds it.
func (s *Server) pendingLocked(dc *deviceCode) (int, map[string]any) {
	code := ""
	switch {
	case len(s.requires) > 0:
		code, s.requires = s.requires[0], s.requires[1:]
	case !dc.standard && s.Config.OrganizationSelection && len(s.Config.Organizations) > 1:
		code = CodeOrganizationSelection
	default:
		return 0, nil
	}
	token := "pat_" + randomString(24)
	s.secrets = append(s.secrets, token)
	s.pendings[token] = &pendingAuth{code: code, standard: dc.standard, scope: dc.scope, expires: time.Now().Add(pendingTTL)}
	msg := pendingMessages[code]
	if msg == "" {
		msg = "Additional authentication is required."
	}
	body := map[string]any{"code": code, "message": msg, "pending_authentication_token": token, "user": s.Config.User}
	switch code {
	case CodeOrganizationSelection:
		var orgs []map[string]string
		for _, id := range s.Config.Organizations {
			orgs = append(orgs, map[string]string{"id": id, "name": s.Config.OrganizationNames[id]})
		}
		body["organizations"] = orgs
	case CodeEmailVerification:
		body["email"] = s.Config.User.Email
		body["email_verification_id"] = "email_verification_" + randomString(9)
	case CodeSSORequired:
		body["email"] = s.Config.User.Email
		body["connection_ids"] = []string{"conn_01DEVSSO0000000000000000"}
	}
	return http.StatusForbidden, body
}

// handleOrganizationSelection completes a sign-in that was answered
// organization_selection_required: the pending authentication token,
// once, and an organization the user belongs to.
func (s *Server) handleOrganizationSelection(w http.ResponseWriter, form url.Values, standard bool) {
	if !s.knownClient(w, form) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pendings[form.Get("pending_authentication_token")]
	if p == nil || p.code != CodeOrganizationSelection || p.standard != standard || time.Now().After(p.expires) {
		writeError(w, http.StatusBadRequest, "invalid_grant", "the pending authentication token is invalid or expired")
		return
	}
	org := form.Get("organization_id")
	if !slices.Contains(s.Config.Organizations, org) {
		writeErrorCode(w, http.StatusForbidden, "organization_membership_not_found", "the user is not a member of "+org)
		return
	}
	delete(s.pendings, form.Get("pending_authentication_token"))
	ses := s.newSessionLocked(p.standard, p.scope, []string{org})
	writeJSON(w, http.StatusOK, s.issueLocked(ses))
}
