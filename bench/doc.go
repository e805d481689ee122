// Package bench compares vpsorg-go with a hand-written net/http client,
// with godo and hcloud-go, and with a client oapi-codegen generated from an
// OpenAPI description of the same endpoints (package oapi). It has its own
// go.mod so that those peers never enter the SDK's module graph.
package bench
