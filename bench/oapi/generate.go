// Package oapi is a VPS.org snapshots client that oapi-codegen generated
// from openapi.yaml, our own description of the endpoints the benchmarks
// call; the benchmarks' "oapi" client (see ../oapi_test.go). Nothing in
// client.gen.go is written by hand: change the spec or config.yaml and run
// go generate.
package oapi

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -config config.yaml openapi.yaml
