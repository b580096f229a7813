package offline

import (
	"context"
	"errors"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// checkSite checks one site the way lesson 10 does: a HEAD request, down when
// it fails or answers 400 or more.
func checkSite(ctx context.Context, c *http.Client, site string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, "http://"+site, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return resp.StatusCode, errors.New(resp.Status)
	}
	return resp.StatusCode, nil
}

// checkAll checks sites with a pool of workers and returns each site's
// error (nil when up), in the order of sites.
func checkAll(c *http.Client, sites []string, workers int) []error {
	errs := make([]error, len(sites))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				_, errs[i] = checkSite(context.Background(), c, sites[i])
			}
		})
	}
	for i := range sites {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return errs
}

// sockets counts this process's open sockets. It is lesson 10's
// openSockets, which the lesson teaches in its own cell, with a skip where
// there is no /proc/self/fd.
func sockets(t testing.TB) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd here:", err)
	}
	n := 0
	for _, e := range entries {
		if link, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(link, "socket:") {
			n++
		}
	}
	return n
}

// TestFullCheckLeavesNothing checks every site, good and bad, with 64
// workers, then closes the server: no goroutine and no socket may be left.
func TestFullCheckLeavesNothing(t *testing.T) {
	t.Setenv(timing.UnitEnv, "20ms")
	before, socketsBefore := countGoroutines(), sockets(t)
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	const timeout = 300 * time.Millisecond
	c := s.Client(timeout)
	sites := append(append(append([]string{}, Sites()...), BadSites()...), Flaky)
	start := time.Now()
	errs := checkAll(c, sites, 64)
	if d := time.Since(start); d > timeout+time.Second {
		t.Errorf("the check took %v, more than the timeout %v + 1s", d, timeout)
	}
	down := map[string]bool{}
	for i, err := range errs {
		down[sites[i]] = err != nil
	}
	for _, site := range sites {
		want := slices.Contains(Refusing(), site) || slices.Contains(Silent(), site) ||
			(slices.Contains(BadSites(), site) && site != EndlessBody) || site == Flaky
		if down[site] != want {
			t.Errorf("%s: down=%v, want %v", site, down[site], want)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	leakcheck.Goroutines(t, before)
	if n := sockets(t); n > socketsBefore {
		t.Errorf("%d sockets open after Close, %d before", n, socketsBefore)
	}
}

// countGoroutines is runtime.NumGoroutine once idle connections of earlier
// tests have had a moment to close.
func countGoroutines() int {
	time.Sleep(50 * time.Millisecond)
	return runtime.NumGoroutine()
}

// TestPeak counts the requests a host has in flight at once.
func TestPeak(t *testing.T) {
	s, c := startFor(t, "50ms")
	tests := []struct {
		host    string
		workers int
		want    int
	}{
		{"amazon.com", 1, 1},
		{"google.com", 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			checkAll(c, slices.Repeat([]string{tt.host}, tt.workers), tt.workers)
			if got := s.Peak(tt.host); got != tt.want {
				t.Errorf("%s with %d workers: peak %d, want %d", tt.host, tt.workers, got, tt.want)
			}
		})
	}
	if got := s.Peak("www.Google.com"); got != 5 {
		t.Errorf("Peak ignores case and www.: got %d, want 5", got)
	}
	if got := s.Peak("never-asked.com"); got != 0 {
		t.Errorf("a host never asked: peak %d, want 0", got)
	}
	c.CloseIdleConnections()
}

// BenchmarkUptime64 checks the 31 answering sites 20 times each with 64
// workers, at a 5 ms time unit (site latencies 0.25 to 2.5 ms), and
// reports sites checked per second.
func BenchmarkUptime64(b *testing.B) {
	_, c := startFor(b, "5ms")
	var sites []string
	for range 20 {
		for _, site := range Sites() {
			if !slices.Contains(Silent(), site) {
				sites = append(sites, site)
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		checkAll(c, sites, 64)
	}
	b.ReportMetric(float64(len(sites)*b.N)/b.Elapsed().Seconds(), "sites/s")
}

// BenchmarkRequestOverhead is one HEAD request to a site that answers at
// once: what the client and the loopback server add to each check.
func BenchmarkRequestOverhead(b *testing.B) {
	_, c := startFor(b, timing.DefaultUnit.String())
	for b.Loop() {
		if _, err := checkSite(context.Background(), c, "httpstat.us/200"); err != nil {
			b.Fatal(err)
		}
	}
}
