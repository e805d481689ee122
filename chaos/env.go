package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"github.com/vpsorg/vpsorg-go/vpsorgtest"
)

// Env is a vpsorgtest server behind a toxiproxy proxy, both listening on
// 127.0.0.1 in this process. Clients talk to BaseURL, through the proxy;
// the test reads the fake directly.
type Env struct {
	Fake    *vpsorgtest.Server
	BaseURL string // the API's base URL through the proxy

	proxy *toxiproxy.Proxy
}

// NewEnv starts a fake configured by opts and a proxy in front of it.
func NewEnv(opts ...vpsorgtest.Option) (*Env, error) {
	fake := vpsorgtest.NewServer(opts...)
	upstream, err := url.Parse(fake.URL)
	if err != nil {
		fake.Close()
		return nil, fmt.Errorf("chaos: the fake's URL: %w", err)
	}
	// The API server is only the proxy's parent: its HTTP API is never
	// started, and metrics and logs are off.
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	proxy := toxiproxy.NewProxy(api, "vpsorg", "127.0.0.1:0", upstream.Host)
	if err := proxy.Start(); err != nil {
		fake.Close()
		return nil, fmt.Errorf("chaos: start the proxy: %w", err)
	}
	return &Env{Fake: fake, BaseURL: "http://" + proxy.Listen + "/api/v1/", proxy: proxy}, nil
}

// Toxic is one of toxiproxy's toxics, as its API takes it.
type Toxic struct {
	Name     string // as the results name it, such as "reset_peer down"
	Type     string // toxiproxy's type: "latency", "bandwidth", "slow_close", ...
	Stream   string // "downstream" (server to client) or "upstream"; "" is downstream
	Toxicity float32
	// Attributes are the type's settings, such as {"latency": 50} (ms).
	Attributes map[string]int64
}

// AddToxic puts t on the proxy. It applies to connections made after, and
// to a share Toxicity of them (each connection draws once); 0 means all.
func (e *Env) AddToxic(t Toxic) error {
	stream, toxicity := t.Stream, t.Toxicity
	if stream == "" {
		stream = "downstream"
	}
	if toxicity == 0 {
		toxicity = 1
	}
	body, err := json.Marshal(map[string]any{
		"name": t.Name, "type": t.Type, "stream": stream, "toxicity": toxicity, "attributes": t.Attributes,
	})
	if err != nil {
		return err
	}
	if _, err := e.proxy.Toxics.AddToxicJson(bytes.NewReader(body)); err != nil {
		return fmt.Errorf("chaos: add toxic %s: %w", t.Name, err)
	}
	return nil
}

// RemoveToxics takes every toxic off the proxy.
func (e *Env) RemoveToxics() {
	e.proxy.Toxics.ResetToxics(context.Background())
}

// Close stops the proxy, dropping its connections, and then the fake.
func (e *Env) Close() {
	e.proxy.Stop()
	e.Fake.Close()
}
