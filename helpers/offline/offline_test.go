package offline

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	tests := []struct {
		path    string
		status  int
		atLeast time.Duration
	}{
		{"/200?sleep=60", 200, 60 * time.Millisecond},
		{"/200", 200, 0},
		{"/200?sleep=soon", 400, 0},
		{"/200?sleep=-5", 400, 0},
		{"/200?sleep=999999999", 400, 0},
		{"/404", 404, 0},
	}
	for _, tt := range tests {
		start := time.Now()
		status, err := Get(context.Background(), client, s.URL(tt.path))
		if err != nil || status != tt.status || time.Since(start) < tt.atLeast {
			t.Errorf("GET %s: %d, %v after %v; want %d after %v", tt.path, status, err, time.Since(start), tt.status, tt.atLeast)
		}
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
	noGoroutinesLeft(t, before)
}

// noGoroutinesLeft fails when more goroutines run than before, once the
// runtime has had a moment to end the ones that are finishing.
func noGoroutinesLeft(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
