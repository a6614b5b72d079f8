package authkittest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Handler returns the server's HTTP handler, for mounting in a test's own
// server; NewServer and Listen already serve it.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /user_management/authorize/device", s.api(DeviceAuthorization, false))
	mux.HandleFunc("POST /user_management/authenticate", s.api("", false))
	mux.HandleFunc("POST /oauth2/device_authorization", s.api(DeviceAuthorization, true))
	mux.HandleFunc("POST /oauth2/token", s.api("", true))
	mux.HandleFunc("GET /.well-known/openid-configuration", s.api(Discovery, true))
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.api(Discovery, true))
	mux.HandleFunc("GET /sso/jwks/{client}", s.api(JWKS, false))
	mux.HandleFunc("GET /oauth2/jwks", s.api(JWKS, true))
	mux.HandleFunc("GET /user_management/sessions/logout", s.handleLogout)
	mux.HandleFunc("GET /device", s.page(s.handleDevicePage))
	mux.HandleFunc("POST /device", s.page(s.handleDevicePage))
	mux.HandleFunc("POST /device/decide", s.page(s.handleDecide))
	mux.HandleFunc("GET /_authkittest/stats", s.handleStats)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		page(w, http.StatusOK, "local AuthKit server",
			"This server speaks WorkOS AuthKit CLI Auth for local testing.", "")
	})
	return mux
}

// api wraps an API endpoint: it reads the form (or JSON body), counts the
// request, and applies any queued fault before the real answer.
func (s *Server) api(ep Endpoint, standard bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		form, err := readForm(r)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		ep := ep
		if ep == "" {
			switch form.Get("grant_type") {
			case "refresh_token":
				ep = Refresh
			case OrganizationSelectionGrant:
				ep = OrganizationSelection
			case clientCredentialsGrant:
				ep = ClientCredentials
			default:
				ep = Poll
			}
		}
		if s.Config.Latency > 0 {
			playFault(&Fault{Delay: s.Config.Latency}, w, r)
		}
		if f := s.takeFault(ep); f != nil {
			if !f.AfterProcessing {
				if !playFault(f, w, r) {
					s.serveAPI(ep, standard, w, r, form)
				}
				return
			}
			rec := &recorder{header: http.Header{}}
			s.serveAPI(ep, standard, rec, r, form)
			if !playFault(f, w, r) {
				rec.replay(w)
			}
			return
		}
		s.serveAPI(ep, standard, w, r, form)
	}
}

func (s *Server) serveAPI(ep Endpoint, standard bool, w http.ResponseWriter, r *http.Request, form url.Values) {
	switch ep {
	case DeviceAuthorization:
		s.handleDeviceAuthorization(w, r, form, standard)
	case Poll:
		if form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:device_code" {
			writeError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported", form.Get("grant_type")))
			return
		}
		s.handlePoll(w, form, standard)
	case Refresh:
		s.handleRefresh(w, form, standard)
	case OrganizationSelection:
		s.handleOrganizationSelection(w, form, standard)
	case ClientCredentials:
		s.handleClientCredentials(w, r, form, standard)
	case Discovery:
		s.handleDiscovery(w, r)
	case JWKS:
		if !standard && r.PathValue("client") != s.Config.ClientID {
			writeErrorCode(w, http.StatusNotFound, "not_found", "unknown client")
			return
		}
		s.handleJWKS(w)
	}
}

// recorder keeps an answer to play later (or never).
type recorder struct {
	header http.Header
	code   int
	body   []byte
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.code = code }
func (r *recorder) Write(b []byte) (int, error) { r.body = append(r.body, b...); return len(b), nil }
func (r *recorder) replay(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.WriteHeader(max(r.code, http.StatusOK))
	_, _ = w.Write(r.body)
}

// page wraps the HTML verification pages with counting and faults.
func (s *Server) page(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if f := s.takeFault(VerificationPage); f != nil && playFault(f, w, r) {
			return
		}
		h(w, r)
	}
}

// takeFault counts a request to ep and returns the next queued fault, if any.
func (s *Server) takeFault(ep Endpoint) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[ep]++
	if q := s.faults[ep]; len(q) > 0 {
		f := q[0]
		s.faults[ep] = q[1:]
		return &f
	}
	return nil
}

// playFault delays, drops or answers as f says. It reports whether it
// answered (or dropped) the request; false means "answer normally".
func playFault(f *Fault, w http.ResponseWriter, r *http.Request) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return true
		case <-t.C:
		}
	}
	if f.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	}
	if f.Raw != "" {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, buf, err := hj.Hijack(); err == nil {
				_, _ = buf.WriteString(f.Raw)
				_ = buf.Flush()
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	}
	for k, v := range f.Header {
		w.Header()[k] = v // also on a normal answer (Status 0): a Date, say
	}
	if f.Status == 0 {
		return false
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	body := f.Body
	if body == "" {
		body = fmt.Sprintf(`{"error":"server_error","error_description":"injected fault: HTTP %d"}`, f.Status)
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, body)
	return true
}

// readForm accepts a form body (as RFC 8628 asks) or a JSON object (which
// WorkOS User Management also takes).
func readForm(r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		return r.Form, nil
	}
	var m map[string]any
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		return nil, fmt.Errorf("bad JSON body: %v", err)
	}
	v := url.Values{}
	for k, val := range m {
		v.Set(k, strings.TrimSpace(fmt.Sprint(val)))
	}
	return v, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// knownClient answers invalid_client, and reports false, unless the
// request names the server's client.
func (s *Server) knownClient(w http.ResponseWriter, form url.Values) bool {
	if form.Get("client_id") != s.Config.ClientID {
		writeError(w, http.StatusBadRequest, "invalid_client", "unknown client_id")
		return false
	}
	return true
}

// writeError answers in RFC 6749's shape.
func writeError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// writeErrorCode answers in WorkOS's other shape, {code, message}.
func writeErrorCode(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"code": code, "message": msg})
}

// handleStats reports the request counts and slow_down answers as JSON, so
// scripts and benchmarks outside the test process can read them.
func (s *Server) handleStats(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	counts := map[Endpoint]int{}
	for k, v := range s.counts {
		counts[k] = v
	}
	resp := map[string]any{"requests": counts, "slow_downs": s.slowDowns}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}
