package offline

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// expectGet GETs url with c, and fails t unless the answer has the given
// status and comes after at least least.
func expectGet(t *testing.T, c *http.Client, url string, status int, least time.Duration) {
	t.Helper()
	start := time.Now()
	got, err := Get(context.Background(), c, url)
	if took := time.Since(start); err != nil || got != status || took < least {
		t.Errorf("GET %s: %d, %v after %v; want %d after at least %v", url, got, err, took, status, least)
	}
}

// startFor starts a server with a time unit (as in "50ms") for tb, closed
// when tb ends, and returns it with one of its clients.
func startFor(tb testing.TB, unit string) (*Server, *http.Client) {
	tb.Helper()
	tb.Setenv(timing.UnitEnv, unit)
	s, err := Start()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, s.Client(5 * time.Second)
}

func TestDelay(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	tests := []struct {
		name    string
		path    string
		status  int
		atLeast time.Duration
	}{
		{"sleep 60 ms", "/200?sleep=60", 200, 60 * time.Millisecond},
		{"no sleep", "/200", 200, 0},
		{"not a number", "/200?sleep=soon", 400, 0},
		{"negative", "/200?sleep=-5", 400, 0},
		{"over MaxSleep", "/200?sleep=999999999", 400, 0},
		{"not found", "/404", 404, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectGet(t, client, s.URL(tt.path), tt.status, tt.atLeast) })
	}
	// A client that gives up does not leave the server waiting.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Get(ctx, client, s.URL("/200?sleep=10000")); err == nil {
		t.Error("a request past its deadline succeeded")
	}
	client.CloseIdleConnections()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	leakcheck.Goroutines(t, before)
}

// TestCloseTwice closes a server twice, as a deferred Close after an
// explicit one does, and at once from two goroutines: no panic, the same
// answer each time, and no goroutine left.
func TestCloseTwice(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	leakcheck.Goroutines(t, before)

	s, err = Start()
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- s.Close() }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("Close from two goroutines: %v", err)
		}
	}
	leakcheck.Goroutines(t, before)
}
