package offline

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
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
	leakcheck.Goroutines(t, before)
}
