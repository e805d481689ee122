package vpsorgtest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

func ExampleNewServer() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/snapshots/", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var page struct {
		Count   int
		Results []struct{ ID int64 }
	}
	_ = json.NewDecoder(resp.Body).Decode(&page)
	fmt.Println(resp.Status, page.Count, page.Results[0].ID)
	// Output: 200 OK 2 801
}

func ExampleServer_AddFault() {
	srv := vpsorgtest.NewServer()
	defer srv.Close()
	// The first create is carried out but answered 502, as a proxy timing out
	// would; the client cannot tell whether the backup exists.
	srv.AddFault(vpsorgtest.Rule{
		Method: "POST",
		Path:   "/api/v1/backups/",
		Nth:    1,
		Fault:  vpsorgtest.Fault{Status: http.StatusBadGateway, AfterAction: true},
	})

	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/backups/", strings.NewReader(`{"server_id": 12345}`))
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()

	last := srv.Requests()[0]
	fmt.Println(resp.StatusCode, last.Acted)
	// Output: 502 true
}
