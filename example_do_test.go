package vpsorg_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/vpsorg/vpsorg-go"
	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// Client.Do calls an endpoint the SDK has no method for, or reads fields
// its types leave out, with the Client's token, retries and errors:
// NewRequest takes a path relative to the base URL, Do decodes the answer
// into a type of your own.
func ExampleClient_Do() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	req, err := client.NewRequest(ctx, "GET", "servers/?status=active", nil)
	if err != nil {
		log.Fatal(err)
	}
	var page struct {
		Count   int `json:"count"`
		Results []struct {
			ID       int64  `json:"id"`
			Hostname string `json:"hostname"`
			Plan     struct {
				VCPUs int `json:"vcpus"`
			} `json:"plan"`
		} `json:"results"`
	}
	resp, err := client.Do(req, &page)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, page.Count, "active")
	for _, s := range page.Results {
		fmt.Println(s.ID, s.Hostname, s.Plan.VCPUs, "vCPUs")
	}

	// Errors are the SDK's own.
	req, err = client.NewRequest(ctx, "DELETE", "backups/9999/", nil)
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.Do(req, nil)
	fmt.Println(errors.Is(err, vpsorg.ErrNotFound))

	// A path that leaves the base URL is refused before anything is sent.
	_, err = client.NewRequest(ctx, "GET", "https://elsewhere.example/api/v1/servers/", nil)
	fmt.Println(err != nil)
	// Output:
	// 200 1 active
	// 12345 web-server-01.example.com 2 vCPUs
	// true
	// true
}
