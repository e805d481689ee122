// Package bench compares vpsorg-go with a hand-written net/http client and
// with godo and hcloud-go. It has its own go.mod so that those peers never
// enter the SDK's module graph.
package bench
