package vpsorg

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// TestWrite: a write alone, with a look-up of the test's own. The POST is
// sent once; only a failure after which it may have acted is looked for;
// what the look-up finds, or why it found nothing, decides the answer.
func TestWrite(t *testing.T) {
	t.Parallel()
	found := &Backup{ID: 77}
	tests := []struct {
		name       string
		answers    []answer
		opts       []Option
		find       func() (*Backup, error)
		wantID     int64
		wantErr    error // matched with errors.Is; nil for none
		wantReason string
		wantLooked bool
	}{
		{name: "answered", answers: []answer{{status: 201, body: `{"id":5}`}}, wantID: 5},
		{name: "refused by the API", answers: []answer{{status: 400, body: `{"detail":"no"}`}}, wantErr: ErrBadRequest},
		{name: "lost, found", answers: []answer{{status: 503}}, find: func() (*Backup, error) { return found, nil },
			wantID: 77, wantLooked: true},
		{name: "lost, not found", answers: []answer{{status: 503}}, find: func() (*Backup, error) { return nil, nil },
			wantErr: ErrOutcomeUnknown, wantReason: "did not find", wantLooked: true},
		{name: "lost, look-up failed", answers: []answer{{status: 503}}, find: func() (*Backup, error) { return nil, errors.New("boom") },
			wantErr: ErrOutcomeUnknown, wantReason: "looking for its result failed: boom", wantLooked: true},
		{name: "lost, recovery off", answers: []answer{{status: 503}}, opts: []Option{WithoutRecovery()},
			wantErr: ErrOutcomeUnknown, wantReason: "recovery is off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := newTestClient(t, tt.opts...)
			s := &script{t: t, answers: tt.answers}
			mock.RegisterResponder(http.MethodPost, testBase+"backups/", s.respond)
			var answeredWith error
			looked := false
			find := func(context.Context, *lostWrite) (*Backup, *Response, error) {
				looked = true
				b, err := tt.find()
				return b, &Response{RequestID: "lookup-1", Count: 9, NextPage: 2}, err
			}
			req := request{method: http.MethodPost, path: "backups/", body: &BackupCreateRequest{ServerID: 1}}
			got, resp, err := sendWrite(context.Background(), c, "Backups.Create", req, new(Backup), func(_ *Backup, err error) { answeredWith = err }, find)
			checkWriteErr(t, err, tt.wantErr, tt.wantReason)
			if postOK := tt.answers[0].status < 300; (answeredWith == nil) != postOK {
				t.Errorf("answered with %v; the POST itself succeeded: %v", answeredWith, postOK)
			}
			if looked != tt.wantLooked || s.calls() != 1 {
				t.Errorf("looked %v after %d POSTs; want %v after 1", looked, s.calls(), tt.wantLooked)
			}
			if tt.wantID != 0 && (got == nil || got.ID != tt.wantID || resp.Attempts != 1) {
				t.Fatalf("got %+v, %+v; want id %d after 1 try", got, resp, tt.wantID)
			}
			if recovered := tt.wantLooked && tt.wantErr == nil; recovered &&
				(!resp.Recovered || resp.RequestID != "lookup-1" || resp.Count != 0 || resp.NextPage != 0) {
				t.Errorf("Response %+v; want the look-up's, recovered, without its list fields", resp)
			}
		})
	}
}

func checkWriteErr(t *testing.T, err, want error, reason string) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("error %v; want none", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("error %v; want %v", err, want)
	case errors.Is(want, ErrOutcomeUnknown) && (!errors.Is(err, ErrServerError) || !strings.Contains(err.Error(), reason)):
		t.Fatalf("error %q; want the write's 503, saying %q", err, reason)
	case !errors.Is(want, ErrOutcomeUnknown) && errors.Is(err, ErrOutcomeUnknown):
		t.Fatalf("error %v matches ErrOutcomeUnknown", err)
	}
}
