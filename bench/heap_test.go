package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
)

// heapPeak measures the live heap (after a full GC) at chosen moments and
// keeps the highest figure above a baseline. Counting live bytes, not
// HeapAlloc between collections, makes the figure what the code holds,
// whatever the GC's timing.
type heapPeak struct {
	mu     sync.Mutex
	on     bool
	base   uint64
	peak   uint64
	peakAt string // the moment the peak was seen: "request", "last read", "close" or "item"
	sample [1]metrics.Sample
}

func newHeapPeak() *heapPeak {
	h := &heapPeak{}
	h.sample[0].Name = "/gc/heap/live:bytes"
	return h
}

func (h *heapPeak) live() uint64 {
	runtime.GC()
	metrics.Read(h.sample[:])
	return h.sample[0].Value.Uint64()
}

// settled is the live heap once sync.Pools have let go of what they held:
// a pool's contents survive one collection (as its victim cache), so a
// baseline taken after one GC would count buffers that later vanish, such
// as fmt's from building the fixtures, and make peaks look smaller.
func (h *heapPeak) settled() uint64 {
	runtime.GC()
	return h.live()
}

// start sets the baseline and turns sampling on.
func (h *heapPeak) start() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.base, h.peak, h.on = h.settled(), 0, true
}

// stop turns sampling off and returns the peak above the baseline and
// the moment it was seen.
func (h *heapPeak) stop() (uint64, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.on = false
	return h.peak, h.peakAt
}

func (h *heapPeak) observe(at string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.on {
		return
	}
	if l := h.live(); l > h.base && l-h.base > h.peak {
		h.peak, h.peakAt = l-h.base, at
	}
}

// wrap samples when a request starts, when the last byte of a response
// body has been read (the client then holds the whole raw page, and the
// previous page if it kept it) and when the body is closed (the page is
// decoded). Sampling every read would only add smaller figures, each at the
// cost of a collection.
func (h *heapPeak) wrap(rt http.RoundTripper) http.RoundTripper {
	return sampledTransport{rt: rt, h: h}
}

type sampledTransport struct {
	rt http.RoundTripper
	h  *heapPeak
}

func (t sampledTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.h.observe("request")
	resp, err := t.rt.RoundTrip(r)
	if resp != nil && resp.Body != nil {
		resp.Body = &sampledBody{ReadCloser: resp.Body, h: t.h, left: resp.ContentLength}
	}
	return resp, err
}

type sampledBody struct {
	io.ReadCloser
	h    *heapPeak
	left int64 // bytes not read yet; negative when the length is unknown
	done bool  // the last read was sampled
}

func (b *sampledBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if !b.done && (b.left == 0 || err != nil) {
		b.done = true
		b.h.observe("last read")
	}
	return n, err
}

func (b *sampledBody) Close() error {
	b.h.observe("close")
	return b.ReadCloser.Close()
}

// allHeap is one client's All walk measured: the peak live heap above the
// baseline during the walk, and the live size of one decoded page.
type allHeap struct {
	peak, page uint64
	peakAt     string
}

// measureAllHeap walks the All case once with sampling on. The server's
// prepared pages, the client and its warm connection are in the baseline.
func measureAllHeap(tb testing.TB, c contender) allHeap {
	srv := startServer(tb, c.shape(), 0)
	h := newHeapPeak()
	o := c.dial(tb, srv.URL, h.wrap)
	ctx := context.Background()
	if _, err := o.list(ctx, allPerPage); err != nil { // warm the connection
		tb.Fatal(err)
	}
	// One decoded page, kept alive between two measures: the smallest of
	// three, since whatever else the process does between them (the
	// server's goroutine finishing its answer) only adds.
	var page uint64
	for i := range 3 {
		before := h.settled()
		items, err := o.keep(ctx, allPerPage)
		if err != nil {
			tb.Fatal(err)
		}
		after := h.settled()
		runtime.KeepAlive(items)
		if d := after - before; i == 0 || d < page {
			page = d
		}
	}

	h.start()
	n, err := o.all(ctx, func(i int) {
		if i%allPerPage == 0 {
			h.observe("item")
		}
	})
	peak, peakAt := h.stop()
	if err != nil || n != allPages*allPerPage {
		tb.Fatalf("all: %d items, %v", n, err)
	}
	return allHeap{peak: peak, page: page, peakAt: peakAt}
}

// BenchmarkAllHeap reports the peak live heap of walking 10,000 items
// (peak-heap-B), the live size of one decoded page (page-B) and their
// ratio (pages). Its time per op is dominated by the forced collections and
// means nothing.
func BenchmarkAllHeap(b *testing.B) {
	for _, c := range contenders() {
		b.Run(fmt.Sprintf("items=%d/client=%s", allPages*allPerPage, c.name), func(b *testing.B) {
			var m allHeap
			for b.Loop() {
				m = measureAllHeap(b, c)
			}
			b.ReportMetric(float64(m.peak), "peak-heap-B")
			b.ReportMetric(float64(m.page), "page-B")
			b.ReportMetric(float64(m.peak)/float64(m.page), "pages")
		})
	}
}

// TestAllHoldsAtMostTwoPages: at every sampled moment of walking 10,000
// items, what vpsorg's All keeps alive is at most two decoded pages' worth.
// The other clients' figures are logged, for comparison.
func TestAllHoldsAtMostTwoPages(t *testing.T) { //nolint:paralleltest // it samples the process's heap
	for _, c := range contenders() { //nolint:paralleltest // one client at a time: the heap is the process's
		t.Run(c.name, func(t *testing.T) {
			m := measureAllHeap(t, c)
			t.Logf("peak %d B (at a %s) = %.2f pages of %d B", m.peak, m.peakAt, float64(m.peak)/float64(m.page), m.page)
			if c.name == "vpsorg" && m.peak > 2*m.page {
				t.Errorf("All held %d B at its peak, more than two pages (%d B)", m.peak, 2*m.page)
			}
		})
	}
}
