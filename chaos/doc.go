// Package chaos runs the SDK through network faults a fake server cannot
// make on its own: a stream stalled halfway, throttled bandwidth, packets
// sliced small, connections reset or held open, answers cut after so many
// bytes. It embeds Shopify's toxiproxy as a library, in this process,
// between a vpsorg.Client and a vpsorgtest server, all on 127.0.0.1.
//
// It is a module of its own, like bench/, so that toxiproxy and its
// dependencies stay out of the SDK's module graph. Its test, TestToxics,
// runs a bounded workload under each toxic and checks what the SDK
// promises; run it with
//
//	cd chaos && go test -count=1 -v -run TestToxics .
//
// which prints a table of figures per toxic.
package chaos
