package offline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

func TestLatency(t *testing.T) {
	seen := map[float64]bool{}
	for _, h := range Sites() {
		l := Latency(h)
		if l < 0.05 || l > 0.5 || l != Latency(strings.ToUpper(h)) {
			t.Errorf("Latency(%s) = %v", h, l)
		}
		seen[l] = true
	}
	if len(Sites()) != 33 || len(seen) < 10 {
		t.Errorf("%d sites with %d different latencies", len(Sites()), len(seen))
	}
}

// head makes a HEAD request and returns the status, the time it took and
// the error.
func head(c *http.Client, url string) (int, time.Duration, error) {
	start := time.Now()
	resp, err := c.Head(url)
	if err != nil {
		return 0, time.Since(start), err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(start), nil
}

func TestEverySiteAndEveryFailure(t *testing.T) {
	t.Setenv(timing.UnitEnv, "20ms")
	before := runtime.NumGoroutine()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	const timeout = 400 * time.Millisecond
	c := s.Client(timeout)

	for _, h := range Sites() {
		status, took, err := head(c, "http://"+h)
		switch {
		case slices.Contains(Silent(), h):
			if err == nil || took < timeout || took > timeout+2*time.Second {
				t.Errorf("%s: %d, %v after %v; want a timeout after %v", h, status, err, took, timeout)
			}
		case slices.Contains(Refusing(), h):
			if err != nil || status != 405 {
				t.Errorf("%s: %d, %v; want 405", h, status, err)
			}
		default:
			want := time.Duration(Latency(h) * float64(20*time.Millisecond))
			if err != nil || status != 200 || took < want {
				t.Errorf("%s: %d, %v after %v; want 200 after at least %v", h, status, err, took, want)
			}
		}
	}

	tests := []struct {
		host   string
		status int    // 0: an error is expected
		errHas string // part of the error
	}{
		{ServerError, 500, ""},
		{Unavailable, 503, ""},
		{RedirectLoop, 0, "stopped after 10 redirects"},
		{Slowloris, 0, "Timeout"},
		{Reset, 0, "EOF"},
		{"nowhere.example", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			status, took, err := head(c, "http://"+tt.host+"/")
			if took > timeout+time.Second {
				t.Errorf("%s took %v, over the timeout", tt.host, took)
			}
			if tt.status != 0 {
				if err != nil || status != tt.status {
					t.Errorf("%s: %d, %v; want %d", tt.host, status, err, tt.status)
				}
				return
			}
			if err == nil || (!strings.Contains(err.Error(), tt.errHas) && !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "reset")) {
				t.Errorf("%s: %d, %v; want an error with %q", tt.host, status, err, tt.errHas)
			}
		})
	}
	resp, err := s.Client(0).Head("http://" + Unavailable)
	if err != nil || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("503 without Retry-After: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// The endless body: GET reads until the client's deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	if _, err := Get(ctx, c, "http://"+EndlessBody); err == nil {
		t.Error("the endless body ended")
	}
	cancel()

	// The EuroPython pages have their word counts; httpstat.us works by name.
	for year, words := range EuroPythonWords() {
		resp, err := c.Get(fmt.Sprintf("http://ep%d.europython.eu/en/", year))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if n := len(strings.Fields(string(b))); n != words {
			t.Errorf("ep%d: %d words, want %d", year, n, words)
		}
	}
	if status, err := Get(context.Background(), c, "http://httpstat.us/200?sleep=30"); err != nil || status != 200 {
		t.Errorf("httpstat.us: %d %v", status, err)
	}

	// Another process reaches the server by its address; a page can be slow,
	// and a bad sleep is refused.
	other := ClientTo(s.Addr(), 5*time.Second)
	for _, tc := range []struct {
		name   string
		url    string
		status int
		least  time.Duration
	}{
		{"slow page", "http://ep2019.europython.eu/en/?sleep=100", 200, 100 * time.Millisecond},
		{"bad sleep", "http://ep2019.europython.eu/en/?sleep=soon", 400, 0},
		{"no such year", "http://ep2020.europython.eu/en/", 404, 0},
	} {
		t.Run(tc.name, func(t *testing.T) { expectGet(t, other, tc.url, tc.status, tc.least) })
	}
	other.CloseIdleConnections()

	// The flaky site fails twice, then answers, again and again.
	var flaky []int
	for range 6 {
		status, err := Get(context.Background(), c, "http://"+Flaky)
		if err != nil {
			t.Fatal(err)
		}
		flaky = append(flaky, status)
	}
	if fmt.Sprint(flaky) != "[503 503 200 503 503 200]" {
		t.Errorf("flaky answered %v", flaky)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	leakcheck.Goroutines(t, before)
}
