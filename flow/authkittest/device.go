package authkittest

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type codeState int

const (
	pending codeState = iota
	approved
	denied
	consumed
)

type deviceCode struct {
	deviceCode string
	userCode   string
	standard   bool
	scope      string
	issued     time.Time
	expires    time.Time
	interval   time.Duration
	lastPoll   time.Time
	state      codeState
}

// userCodeAlphabet avoids vowels and look-alike characters, as WorkOS does.
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

func newUserCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	var sb strings.Builder
	for i, c := range b {
		if i == 4 {
			sb.WriteByte('-')
		}
		sb.WriteByte(userCodeAlphabet[int(c)%len(userCodeAlphabet)])
	}
	return sb.String()
}

// normaliseUserCode lets a person type a code in any case, with or
// without the hyphen or spaces.
func normaliseUserCode(c string) string {
	var sb strings.Builder
	for _, r := range strings.ToUpper(c) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

func (s *Server) handleDeviceAuthorization(w http.ResponseWriter, r *http.Request, form url.Values, standard bool) {
	if !s.knownClient(w, form) {
		return
	}
	now := time.Now()
	dc := &deviceCode{
		deviceCode: "dc_" + randomString(32),
		userCode:   newUserCode(),
		standard:   standard,
		scope:      form.Get("scope"),
		issued:     now,
		expires:    now.Add(s.Config.CodeTTL),
		interval:   s.Config.Interval,
		lastPoll:   now,
	}
	s.mu.Lock()
	s.codes[dc.deviceCode] = dc
	s.secrets = append(s.secrets, dc.deviceCode)
	s.byUser[normaliseUserCode(dc.userCode)] = dc
	if s.Config.AutoApprove > 0 {
		code := dc.userCode
		s.timers = append(s.timers, time.AfterFunc(s.Config.AutoApprove, func() { _ = s.Approve(code) }))
	}
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()

	verify := s.URL + "/device"
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code":               dc.deviceCode,
		"user_code":                 dc.userCode,
		"verification_uri":          verify,
		"verification_uri_complete": verify + "?user_code=" + url.QueryEscape(dc.userCode),
		"expires_in":                int(s.Config.CodeTTL / time.Second),
		"interval":                  int(s.Config.Interval / time.Second),
	})
}

// handlePoll answers a device_code grant as RFC 8628 section 3.5 says.
func (s *Server) handlePoll(w http.ResponseWriter, form url.Values, standard bool) {
	if !s.knownClient(w, form) {
		return
	}
	s.mu.Lock()
	dc := s.codes[form.Get("device_code")]
	if dc == nil || dc.standard != standard {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "invalid_grant", "unknown device code")
		return
	}
	now := time.Now()
	// Timers never fire early, so a client that waited the interval after
	// the previous answer is never caught by this; 10 ms absorbs clock
	// granularity.
	tooSoon := now.Sub(dc.lastPoll) < dc.interval-10*time.Millisecond
	dc.lastPoll = now
	switch {
	case dc.state == consumed:
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "invalid_grant", "device code already used")
	case now.After(dc.expires):
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "expired_token", "the device code has expired")
	case dc.state == denied:
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "access_denied", "the user denied the request")
	case tooSoon:
		dc.interval += 5 * time.Second
		s.slowDowns++
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "slow_down", "polling too fast")
	case dc.state == pending:
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "authorization_pending", "the user has not approved yet")
	default:
		dc.state = consumed
		if status, pending := s.pendingLocked(dc); pending != nil {
			s.mu.Unlock()
			writeJSON(w, status, pending)
			return
		}
		ses := s.newSessionLocked(dc.standard, dc.scope, s.Config.Organizations)
		resp := s.issueLocked(ses)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, resp)
	}
}

// setState moves a pending code to a new state, or fails with ErrUnknownCode.
func (s *Server) setState(userCode string, to codeState, expire bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dc := s.byUser[normaliseUserCode(userCode)]
	if dc == nil || dc.state != pending || time.Now().After(dc.expires) {
		return ErrUnknownCode
	}
	if expire {
		dc.expires = time.Now().Add(-time.Second)
		return nil
	}
	dc.state = to
	return nil
}

// Approve approves the pending sign-in with userCode, as the person would
// on the verification page. Any case, hyphen or none, is accepted.
func (s *Server) Approve(userCode string) error { return s.setState(userCode, approved, false) }

// Deny declines the pending sign-in with userCode.
func (s *Server) Deny(userCode string) error { return s.setState(userCode, denied, false) }

// Expire makes the pending sign-in with userCode expire now.
func (s *Server) Expire(userCode string) error { return s.setState(userCode, pending, true) }

// PendingCodes returns the user codes waiting for a decision, oldest first.
func (s *Server) PendingCodes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*deviceCode
	now := time.Now()
	for _, dc := range s.codes {
		if dc.state == pending && now.Before(dc.expires) {
			list = append(list, dc)
		}
	}
	// Few codes are ever pending: a simple insertion sort keeps this
	// readable.
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && list[j].issued.Before(list[j-1].issued); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
	codes := make([]string, len(list))
	for i, dc := range list {
		codes[i] = dc.userCode
	}
	return codes
}

// WaitPending waits until a sign-in is pending and returns the oldest
// pending user code, or fails when ctx ends first.
func (s *Server) WaitPending(ctx context.Context) (string, error) {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if codes := s.PendingCodes(); len(codes) > 0 {
			return codes[0], nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-ch:
		}
	}
}
