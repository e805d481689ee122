package vpsorg

import (
	"context"
	"net/http"
	"testing"
)

func TestSnapshotsListRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *SnapshotListOptions
		wantQuery string
	}{
		{"nil options", nil, ""},
		{"zero options", &SnapshotListOptions{}, ""},
		{"server", &SnapshotListOptions{ServerID: 12345}, "server_id=12345"},
		{"everything", &SnapshotListOptions{ServerID: 12345, ListOptions: ListOptions{Page: 2, PageSize: 5}},
			"page=2&page_size=5&server_id=12345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			expectCall(t, mock, wantCall{method: http.MethodGet, path: "/api/v1/snapshots/", query: tt.wantQuery},
				http.StatusOK, loadTestdata(t, "snapshots_list.json"))
			got, resp, err := c.Snapshots.List(context.Background(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || resp.Count != 2 {
				t.Errorf("got %d snapshots, Count %d; want 2, 2", len(got), resp.Count)
			}
		})
	}
}

func TestSnapshotsCreateRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		req      *SnapshotCreateRequest
		wantBody string
	}{
		{"documented", &SnapshotCreateRequest{ServerID: 12345, Name: "before-update-snapshot", Description: "Snapshot before system update"},
			`{"server_id": 12345, "name": "before-update-snapshot", "description": "Snapshot before system update"}`},
		{"without description", &SnapshotCreateRequest{ServerID: 12345, Name: "weekly_2025-01-08"},
			`{"server_id": 12345, "name": "weekly_2025-01-08"}`},
		{"every allowed character", &SnapshotCreateRequest{ServerID: 1, Name: "AZaz09-_"},
			`{"server_id": 1, "name": "AZaz09-_"}`},
		{"one character", &SnapshotCreateRequest{ServerID: 1, Name: "x"}, `{"server_id": 1, "name": "x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t)
			expectCall(t, mock, wantCall{method: http.MethodPost, path: "/api/v1/snapshots/", body: tt.wantBody},
				http.StatusCreated, loadTestdata(t, "snapshot_create.json"))
			snap, resp, err := c.Snapshots.Create(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusCreated || snap.ID != 802 || snap.Status != StatusInProgress {
				t.Errorf("status %d, snapshot %+v; want 201 and the documented answer", resp.StatusCode, snap)
			}
		})
	}
}

func TestSnapshotsRestoreRequest(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	// No body, so no Content-Type either.
	expectCall(t, mock, wantCall{method: http.MethodPost, path: "/api/v1/snapshots/801/restore/"},
		http.StatusOK, loadTestdata(t, "snapshot_restore.json"))
	r, resp, err := c.Snapshots.Restore(context.Background(), 801)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || r.Status != "success" || r.Server.Status != ServerStatusRestoring {
		t.Errorf("status %d, restore %+v; want 200 and the documented answer", resp.StatusCode, r)
	}
}

func TestSnapshotsDeleteRequest(t *testing.T) {
	t.Parallel()
	c, mock, _ := newTestClient(t)
	expectCall(t, mock, wantCall{method: http.MethodDelete, path: "/api/v1/snapshots/798/"}, http.StatusNoContent, "")
	resp, err := c.Snapshots.Delete(context.Background(), 798)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNoContent || mock.GetTotalCallCount() != 1 {
		t.Errorf("status %d after %d requests, want 204 after 1", resp.StatusCode, mock.GetTotalCallCount())
	}
}

func TestSnapshotsValidation(t *testing.T) {
	t.Parallel()
	create := func(req *SnapshotCreateRequest) func(context.Context, *Client) error {
		return func(ctx context.Context, c *Client) error {
			_, _, err := c.Snapshots.Create(ctx, req)
			return err
		}
	}
	tests := []struct {
		name      string
		call      func(context.Context, *Client) error
		wantField string
	}{
		{"Create nil", create(nil), ""},
		{"Create server 0", create(&SnapshotCreateRequest{Name: "ok"}), "server_id"},
		{"Create server -3", create(&SnapshotCreateRequest{ServerID: -3, Name: "ok"}), "server_id"},
		{"Create empty name", create(&SnapshotCreateRequest{ServerID: 1}), "name"},
		{"Create blank name", create(&SnapshotCreateRequest{ServerID: 1, Name: " "}), "name"},
		{"Create name with space", create(&SnapshotCreateRequest{ServerID: 1, Name: "before update"}), "name"},
		{"Create name with trailing space", create(&SnapshotCreateRequest{ServerID: 1, Name: "snap "}), "name"},
		{"Create name with dot", create(&SnapshotCreateRequest{ServerID: 1, Name: "v1.2"}), "name"},
		{"Create name with slash", create(&SnapshotCreateRequest{ServerID: 1, Name: "a/b"}), "name"},
		{"Create name with backslash", create(&SnapshotCreateRequest{ServerID: 1, Name: `a\b`}), "name"},
		{"Create name climbing", create(&SnapshotCreateRequest{ServerID: 1, Name: "../x"}), "name"},
		{"Create name with accent", create(&SnapshotCreateRequest{ServerID: 1, Name: "café"}), "name"},
		{"Create name in kana", create(&SnapshotCreateRequest{ServerID: 1, Name: "スナップ"}), "name"},
		{"Create name with fullwidth digit", create(&SnapshotCreateRequest{ServerID: 1, Name: "snap１"}), "name"},
		{"Create name with newline", create(&SnapshotCreateRequest{ServerID: 1, Name: "a\nb"}), "name"},
		{"Create name with NUL", create(&SnapshotCreateRequest{ServerID: 1, Name: "a\x00"}), "name"},
		{"Create name with query", create(&SnapshotCreateRequest{ServerID: 1, Name: "a?b=c&d"}), "name"},
		{"Restore 0", func(ctx context.Context, c *Client) error {
			_, _, err := c.Snapshots.Restore(ctx, 0)
			return err
		}, "snapshot_id"},
		{"Restore -801", func(ctx context.Context, c *Client) error {
			_, _, err := c.Snapshots.Restore(ctx, -801)
			return err
		}, "snapshot_id"},
		{"Delete 0", func(ctx context.Context, c *Client) error {
			_, err := c.Snapshots.Delete(ctx, 0)
			return err
		}, "snapshot_id"},
		{"Delete -1", func(ctx context.Context, c *Client) error {
			_, err := c.Snapshots.Delete(ctx, -1)
			return err
		}, "snapshot_id"},
		{"List server -1", func(ctx context.Context, c *Client) error {
			_, _, err := c.Snapshots.List(ctx, &SnapshotListOptions{ServerID: -1})
			return err
		}, "server_id"},
		{"List page -2", func(ctx context.Context, c *Client) error {
			_, _, err := c.Snapshots.List(ctx, &SnapshotListOptions{ListOptions: ListOptions{Page: -2}})
			return err
		}, "page"},
		{"List page size -10", func(ctx context.Context, c *Client) error {
			_, _, err := c.Snapshots.List(ctx, &SnapshotListOptions{ListOptions: ListOptions{PageSize: -10}})
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
