package vpsorg

// Status is the state of a backup, a snapshot or a server (see
// [ServerStatusActive]). Values the SDK does not know
// are kept as they came, so compare with the constants rather than switch
// exhaustively.
type Status string

// Documented statuses, and "failed", which the waiters treat as final.
const (
	StatusInProgress Status = "in_progress"
	StatusCompleted  Status = "completed"
	StatusFailed     Status = "failed"
)

// ServerRef names the server a backup or snapshot belongs to.
type ServerRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ServerState is a server as a restore answer shows it; Status is
// [ServerStatusRestoring] while the restore runs.
type ServerState struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Status Status `json:"status"`
}

// checkID refuses an id that cannot name an object, so that nothing but a
// positive number ever lands in a request path.
func checkID(field string, id int64) error {
	if id <= 0 {
		return &ValidationError{Field: field, Message: "must be a positive integer"}
	}
	return nil
}

func checkServerFilter(id int64) error {
	if id < 0 {
		return &ValidationError{Field: "server_id", Message: "must be a positive integer (0 lists every server's)"}
	}
	return nil
}
