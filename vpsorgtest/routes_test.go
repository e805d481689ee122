package vpsorgtest

import (
	"net/http"
	"regexp"
	"testing"
)

func TestUnknownPathsAreNotFound(t *testing.T) {
	t.Parallel()
	h := start(t)
	tests := []struct{ method, path string }{
		{"GET", "/"},
		{"GET", "/api/v1/"},
		{"GET", "/api/v1/backups"}, // every path ends with a slash
		{"POST", "/api/v1/snapshots"},
		{"GET", "/api/v1/backup/"},
		{"DELETE", "/api/v1/backups/abc/"},
		{"DELETE", "/api/v1/backups/-1/"},
		{"DELETE", "/api/v1/backups/501"},
		{"GET", "/api/v1/servers/12345/"},
		{"POST", "/api/v1/backups/501/restore/"},
		{"POST", "/api/v1/snapshots/801/restore"},
		{"GET", "/api/v2/backups/"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			res := h.do(t, tt.method, tt.path, "")
			res.wantStatus(t, http.StatusNotFound)
			res.wantJSON(t, `{"detail": "Not found."}`)
		})
	}
}

func TestUnknownPathIsNotFoundBeforeAuthentication(t *testing.T) {
	t.Parallel()
	h := start(t)
	req := h.newRequest(t, "GET", "/api/v1/nothing/", "")
	req.Header.Del("Authorization")
	h.send(t, req).wantStatus(t, http.StatusNotFound)
}

func TestWrongMethodIsNotAllowed(t *testing.T) {
	t.Parallel()
	h := start(t)
	tests := []struct{ method, path, allow string }{
		{"PUT", "/api/v1/backups/", "GET, POST"},
		{"DELETE", "/api/v1/backups/", "GET, POST"},
		{"GET", "/api/v1/backups/501/", "DELETE"},
		{"PATCH", "/api/v1/snapshots/", "GET, POST"},
		{"GET", "/api/v1/snapshots/801/", "DELETE"},
		{"GET", "/api/v1/snapshots/801/restore/", "POST"},
		{"POST", "/api/v1/servers/", "GET"},
		{"GET", "/api/v1/servers/12345/restore/", "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			res := h.do(t, tt.method, tt.path, "")
			res.wantStatus(t, http.StatusMethodNotAllowed)
			res.wantJSON(t, `{"detail": "Method \"`+tt.method+`\" not allowed."}`)
			if got := res.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	h := start(t, WithToken("s3cret"))
	if h.Token != "s3cret" {
		t.Fatalf("Token %q", h.Token)
	}
	tests := []struct {
		name, header string
		status       int
		detail       string
	}{
		{"missing", "", 401, "Authentication credentials were not provided."},
		{"other scheme", "Basic czNjcmV0", 401, "Authentication credentials were not provided."},
		{"no token", "Bearer", 401, "Invalid token header. No credentials provided."},
		{"spaces", "Bearer s3 cret", 401, "Invalid token header. Token string should not contain spaces."},
		{"wrong token", "Bearer " + DefaultToken, 401, "Invalid token."},
		{"right token", "Bearer s3cret", 200, ""},
		{"keyword in any case", "bearer s3cret", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := h.newRequest(t, "GET", "/api/v1/backups/", "")
			req.Header.Del("Authorization")
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			res := h.send(t, req)
			res.wantStatus(t, tt.status)
			if tt.status == 401 {
				res.wantJSON(t, `{"detail": "`+tt.detail+`"}`)
				if got := res.header.Get("WWW-Authenticate"); got != "Bearer" {
					t.Errorf("WWW-Authenticate %q", got)
				}
			}
		})
	}
}

func TestDefaultToken(t *testing.T) {
	t.Parallel()
	h := start(t)
	if h.Token != DefaultToken {
		t.Fatalf("Token %q, want %q", h.Token, DefaultToken)
	}
	h.do(t, "GET", "/api/v1/servers/", "").wantStatus(t, http.StatusOK)
}

func TestEveryAnswerHasContentTypeAndRequestID(t *testing.T) {
	t.Parallel()
	h := start(t)
	requestID := regexp.MustCompile(`^req-\d{6}$`)
	seen := map[string]bool{}
	for _, tt := range []struct{ method, path string }{
		{"GET", "/api/v1/backups/"},
		{"GET", "/nowhere/"},
		{"PUT", "/api/v1/servers/"},
		{"POST", "/api/v1/backups/"},
		{"DELETE", "/api/v1/backups/499/"},
	} {
		res := h.do(t, tt.method, tt.path, "")
		id := res.header.Get("X-Request-Id")
		if !requestID.MatchString(id) || seen[id] {
			t.Errorf("%s %s: X-Request-Id %q (seen: %v)", tt.method, tt.path, id, seen[id])
		}
		seen[id] = true
		want := "application/json"
		if res.status == http.StatusNoContent {
			want = "" // an empty body has no type, as DRF does it
		}
		if got := res.header.Get("Content-Type"); got != want {
			t.Errorf("%s %s: Content-Type %q, want %q", tt.method, tt.path, got, want)
		}
	}
}
