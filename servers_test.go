package vpsorg

import (
	"context"
	"net/http"
	"testing"
)

func TestServersListRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *ServerListOptions
		wantQuery string
	}{
		{"nil options", nil, ""},
		{"zero options", &ServerListOptions{}, ""},
		{"status", &ServerListOptions{Status: ServerStatusActive}, "status=active"},
		{"location", &ServerListOptions{Location: "nyc1"}, "location=nyc1"},
		{"location needing escapes", &ServerListOptions{Location: "new york&x=1"}, "location=new+york%26x%3D1"},
		{"everything", &ServerListOptions{Status: "restoring", Location: "ams3", ListOptions: ListOptions{Page: 4, PageSize: 25}},
			"location=ams3&page=4&page_size=25&status=restoring"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			expectCall(t, mock, wantCall{method: http.MethodGet, path: "/api/v1/servers/", query: tt.wantQuery},
				http.StatusOK, loadTestdata(t, "servers_list.json"))
			got, resp, err := c.Servers.List(context.Background(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || resp.Count != 2 {
				t.Errorf("got %d servers, Count %d; want 2, 2", len(got), resp.Count)
			}
		})
	}
}

func TestServersRestoreRequest(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	expectCall(t, mock, wantCall{method: http.MethodPost, path: "/api/v1/servers/12345/restore/", body: `{"backup_id": 501}`},
		http.StatusOK, `{"status": "success", "message": "Server is being restored from backup.", "server": {"id": 12345, "name": "web-server-01", "status": "restoring"}}`)
	r, resp, err := c.Servers.Restore(context.Background(), 12345, &ServerRestoreRequest{BackupID: 501})
	if err != nil {
		t.Fatal(err)
	}
	want := ServerState{ID: 12345, Name: "web-server-01", Status: "restoring"}
	if resp.StatusCode != http.StatusOK || r.Status != "success" || r.Message != "Server is being restored from backup." || r.Server != want {
		t.Errorf("status %d, restore %+v", resp.StatusCode, r)
	}
}

func TestServersValidation(t *testing.T) {
	t.Parallel()
	restore := func(id int64, req *ServerRestoreRequest) func(context.Context, *Client) error {
		return func(ctx context.Context, c *Client) error {
			_, _, err := c.Servers.Restore(ctx, id, req)
			return err
		}
	}
	list := func(opts *ServerListOptions) func(context.Context, *Client) error {
		return func(ctx context.Context, c *Client) error {
			_, _, err := c.Servers.List(ctx, opts)
			return err
		}
	}
	tests := []struct {
		name      string
		call      func(context.Context, *Client) error
		wantField string
	}{
		{"Restore server 0", restore(0, &ServerRestoreRequest{BackupID: 501}), "server_id"},
		{"Restore server -1", restore(-1, &ServerRestoreRequest{BackupID: 501}), "server_id"},
		{"Restore nil", restore(12345, nil), ""},
		{"Restore backup 0", restore(12345, &ServerRestoreRequest{}), "backup_id"},
		{"Restore backup -501", restore(12345, &ServerRestoreRequest{BackupID: -501}), "backup_id"},
		{"List page -1", list(&ServerListOptions{ListOptions: ListOptions{Page: -1}}), "page"},
		{"List page size -1", list(&ServerListOptions{ListOptions: ListOptions{PageSize: -1}}), "page_size"},
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
