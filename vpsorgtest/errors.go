package vpsorgtest

import (
	"fmt"
	"net/http"
	"strconv"
)

// reply is a handler's answer before it is written. Keeping it as a value lets
// an AfterAction fault replace it once the handler has acted.
type reply struct {
	status int
	body   any         // encoded as JSON; nil means no body
	header http.Header // extra headers, may be nil
	acted  bool        // the handler changed the state
	// throttled: the rate limit refused the request (WithRateLimit)
	throttled bool
}

func jsonReply(status int, body any) reply {
	return reply{status: status, body: body}
}

// detail is Django REST Framework's body for 401, 404, 405, 429 and other
// errors that concern the whole request.
func detail(status int, msg string) reply {
	return jsonReply(status, map[string]string{"detail": msg})
}

func notFound() reply {
	return detail(http.StatusNotFound, "Not found.")
}

// fieldErrors is Django REST Framework's 400 body for invalid input: each
// field's messages under its name.
func fieldErrors(errs map[string][]string) reply {
	return jsonReply(http.StatusBadRequest, errs)
}

func fieldError(field, msg string) reply {
	return fieldErrors(map[string][]string{field: {msg}})
}

// nonFieldError is a 400 about the input as a whole, such as a limit reached.
func nonFieldError(msg string) reply {
	return fieldError("non_field_errors", msg)
}

func methodNotAllowed(method string) reply {
	return detail(http.StatusMethodNotAllowed, defaultDetail(http.StatusMethodNotAllowed, method, ""))
}

// defaultDetail is the message Django REST Framework gives a status when
// nothing more specific is known; fault answers use it.
func defaultDetail(status int, method, retryAfter string) string {
	switch status {
	case http.StatusBadRequest:
		return "Malformed request."
	case http.StatusUnauthorized:
		return "Authentication credentials were not provided."
	case http.StatusForbidden:
		return "You do not have permission to perform this action."
	case http.StatusNotFound:
		return "Not found."
	case http.StatusMethodNotAllowed:
		return fmt.Sprintf("Method %q not allowed.", method)
	case http.StatusTooManyRequests:
		if secs, err := strconv.Atoi(retryAfter); err == nil {
			return throttledDetail(secs)
		}
		return "Request was throttled."
	case http.StatusInternalServerError:
		return "A server error occurred."
	}
	if text := http.StatusText(status); text != "" {
		return text + "."
	}
	return fmt.Sprintf("Status %d.", status)
}

// throttledDetail is DRF's Throttled message, singular for one second.
func throttledDetail(secs int) string {
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return fmt.Sprintf("Request was throttled. Expected available in %d %s.", secs, unit)
}
