package vpsorg

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

func TestBackupsListRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *BackupListOptions
		wantQuery string
	}{
		{"nil options", nil, ""},
		{"zero options", &BackupListOptions{}, ""},
		{"server", &BackupListOptions{ServerID: 12345}, "server_id=12345"},
		{"manual", &BackupListOptions{Type: BackupTypeManual}, "backup_type=manual"},
		{"automatic", &BackupListOptions{Type: BackupTypeAutomatic}, "backup_type=automatic"},
		{"page", &BackupListOptions{ListOptions: ListOptions{Page: 3}}, "page=3"},
		{"page size", &BackupListOptions{ListOptions: ListOptions{PageSize: 100}}, "page_size=100"},
		{"everything", &BackupListOptions{ServerID: 12345, Type: BackupTypeAutomatic, ListOptions: ListOptions{Page: 2, PageSize: 50}},
			"backup_type=automatic&page=2&page_size=50&server_id=12345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			var before BackupListOptions
			if tt.opts != nil {
				before = *tt.opts
			}
			expectCall(t, mock, wantCall{method: http.MethodGet, path: "/api/v1/backups/", query: tt.wantQuery},
				http.StatusOK, loadTestdata(t, "backups_list.json"))
			got, resp, err := c.Backups.List(context.Background(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || resp.Count != 3 || resp.StatusCode != http.StatusOK {
				t.Errorf("got %d backups, Count %d, status %d; want 3, 3, 200", len(got), resp.Count, resp.StatusCode)
			}
			if tt.opts != nil && *tt.opts != before {
				t.Errorf("List changed the options: %+v, was %+v", *tt.opts, before)
			}
		})
	}
}

func TestBackupsCreateRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		req      *BackupCreateRequest
		wantBody string
	}{
		{"with description", &BackupCreateRequest{ServerID: 12345, Description: "Pre-deployment backup"},
			`{"server_id": 12345, "description": "Pre-deployment backup"}`},
		{"without description", &BackupCreateRequest{ServerID: 12345}, `{"server_id": 12345}`},
		{"unicode description", &BackupCreateRequest{ServerID: 7, Description: "avant la mise à jour \"v2\""},
			`{"server_id": 7, "description": "avant la mise à jour \"v2\""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			expectCall(t, mock, wantCall{method: http.MethodPost, path: "/api/v1/backups/", body: tt.wantBody},
				http.StatusCreated, loadTestdata(t, "backup_create.json"))
			b, resp, err := c.Backups.Create(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("status = %d, want 201", resp.StatusCode)
			}
			if b.ID != 502 || b.Status != StatusInProgress || b.Type != BackupTypeManual || b.SizeMB != nil || b.ExpiresAt != nil {
				t.Errorf("backup = %+v, want the documented 201 answer", b)
			}
		})
	}
}

func TestBackupsDeleteRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id       int64
		wantPath string
	}{
		{501, "/api/v1/backups/501/"},
		{1, "/api/v1/backups/1/"},
		{9007199254740993, "/api/v1/backups/9007199254740993/"}, // past float64's exact integers
	}
	for _, tt := range tests {
		c, mock, _ := newTestClient(t)
		expectCall(t, mock, wantCall{method: http.MethodDelete, path: tt.wantPath}, http.StatusNoContent, "")
		resp, err := c.Backups.Delete(context.Background(), tt.id)
		if err != nil {
			t.Fatalf("Delete(%d): %v", tt.id, err)
		}
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("Delete(%d): status %d, want 204", tt.id, resp.StatusCode)
		}
		if n := mock.GetTotalCallCount(); n != 1 {
			t.Errorf("Delete(%d): %d requests, want 1", tt.id, n)
		}
	}
}

func TestBackupsDeleteNotFound(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	expectCall(t, mock, wantCall{method: http.MethodDelete, path: "/api/v1/backups/404/"}, http.StatusNotFound, `{"detail": "Not found."}`)
	_, err := c.Backups.Delete(context.Background(), 404)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	// A 404 on a first try is an answer, not a failure to retry.
	if n := mock.GetTotalCallCount(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestBackupsValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		call      func(context.Context, *Client) error
		wantField string
	}{
		{"Create nil", func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.Create(ctx, nil)
			return err
		}, ""},
		{"Create server 0", func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.Create(ctx, &BackupCreateRequest{Description: "x"})
			return err
		}, "server_id"},
		{"Create server -1", func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.Create(ctx, &BackupCreateRequest{ServerID: -1})
			return err
		}, "server_id"},
		{"Delete 0", func(ctx context.Context, c *Client) error {
			_, err := c.Backups.Delete(ctx, 0)
			return err
		}, "backup_id"},
		{"Delete -501", func(ctx context.Context, c *Client) error {
			_, err := c.Backups.Delete(ctx, -501)
			return err
		}, "backup_id"},
		{"List server -1", func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.List(ctx, &BackupListOptions{ServerID: -1})
			return err
		}, "server_id"},
		{"List unknown type", func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.List(ctx, &BackupListOptions{Type: "weekly"})
			return err
		}, "backup_type"},
		{"List type in capitals", func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.List(ctx, &BackupListOptions{Type: "Manual"})
			return err
		}, "backup_type"},
		{"List type with query", func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.List(ctx, &BackupListOptions{Type: "manual&server_id=1"})
			return err
		}, "backup_type"},
		{"List page -1", func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.List(ctx, &BackupListOptions{ListOptions: ListOptions{Page: -1}})
			return err
		}, "page"},
		{"List page size -1", func(ctx context.Context, c *Client) error {
			_, _, err := c.Backups.List(ctx, &BackupListOptions{ListOptions: ListOptions{PageSize: -1}})
			return err
		}, "page_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			checkValidationError(t, tt.call(context.Background(), c), tt.wantField)
			wantNoRequest(t, mock)
		})
	}
}

// checkValidationError fails the test unless err is a *ValidationError
// about field, with a message.
func checkValidationError(t *testing.T, err error, field string) {
	t.Helper()
	var vErr *ValidationError
	if !errors.As(err, &vErr) {
		t.Fatalf("err = %v (%T), want a *ValidationError", err, err)
	}
	if vErr.Field != field {
		t.Errorf("Field = %q, want %q", vErr.Field, field)
	}
	if vErr.Message == "" {
		t.Error("ValidationError without a message")
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		t.Error("a ValidationError is also an *APIError")
	}
}
