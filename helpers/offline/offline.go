// Package offline is the course's offline internet: a web server on a
// free loopback port that stands in for the sites the seeds fetch, so that
// every lesson runs with no network.
//
// It serves, like httpstat.us, /200?sleep=MS: a 200 answer after MS
// milliseconds.
package offline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// MaxSleep bounds the sleep a request may ask for.
const MaxSleep = 60 * time.Second

// A Server is a running offline web server.
type Server struct {
	srv  *http.Server
	base string
	done chan error
}

// Start starts a server on a free port of 127.0.0.1.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("offline: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /200", delay)
	mux.HandleFunc("HEAD /200", delay)
	s := &Server{
		srv:  &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second},
		base: "http://" + ln.Addr().String(),
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// URL returns the address of path on the server, as in URL("/200?sleep=500").
func (s *Server) URL(path string) string { return s.base + path }

// Close stops the server: it ends requests in progress and closes every
// connection, and returns when the server's goroutines have ended.
func (s *Server) Close() error {
	err := s.srv.Close()
	if serveErr := <-s.done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// delay answers 200 after the number of milliseconds in ?sleep= (0 when
// absent), or 400 for a sleep that is not a whole number from 0 to
// MaxSleep. A client that goes away ends the wait.
func delay(w http.ResponseWriter, r *http.Request) {
	ms := 0
	if v := r.URL.Query().Get("sleep"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || time.Duration(n)*time.Millisecond > MaxSleep {
			http.Error(w, fmt.Sprintf("sleep=%q: want milliseconds from 0 to %d", v, MaxSleep.Milliseconds()), http.StatusBadRequest)
			return
		}
		ms = n
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	fmt.Fprintf(w, "200 OK after %d ms\n", ms)
}

// Get fetches url with ctx and returns the status code, reading and
// closing the body.
func Get(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}
