// Package offline is the course's offline internet: one web server on a
// free loopback port, and HTTP clients whose every connection goes to it,
// so that a lesson writes real addresses (http://amazon.com) and sees real
// names in every message, with no network.
//
// It serves:
//   - the uptime checker's sites (Sites): each answers after a fixed
//     latency of its own (Latency, in time units); the Refusing ones answer
//     HEAD with 405; the Silent (invented) ones never answer;
//   - httpstat.us-like delays: /200?sleep=MS on any address of the server,
//     or on httpstat.us through a Client;
//   - EuroPython-like pages with known word counts (EuroPythonWords);
//   - sites that fail in the ways real ones do (BadSites).
//
// Close stops it and leaves no goroutine or connection behind.
package offline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

// MaxSleep bounds the sleep a request may ask for.
const MaxSleep = 60 * time.Second

// A Server is a running offline internet.
type Server struct {
	srv  *http.Server
	addr string
	unit time.Duration
	done chan error

	closing   chan struct{}
	handlers  sync.WaitGroup // requests in progress, hijacked ones included
	closeOnce sync.Once
	closeErr  error // what the first Close returned

	mu         sync.Mutex
	hijacked   map[net.Conn]struct{}
	transports []*http.Transport
	inFlight   map[string]int // requests being handled, by host
	peak       map[string]int // the most ever in flight at once, by host
	flaky      int            // requests Flaky has received
}

// Start starts the offline internet on a free port of 127.0.0.1, with site
// latencies in units of timing.Unit().
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("offline: %w", err)
	}
	s := &Server{
		addr:     ln.Addr().String(),
		unit:     timing.Unit(),
		done:     make(chan error, 1),
		closing:  make(chan struct{}),
		hijacked: make(map[net.Conn]struct{}),
		inFlight: make(map[string]int),
		peak:     make(map[string]int),
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// URL returns the address of path on the server itself, as in
// URL("/200?sleep=500").
func (s *Server) URL(path string) string { return "http://" + s.addr + path }

// Client returns an HTTP client whose every connection goes to this server,
// whatever the URL says: http://amazon.com reaches the offline amazon.com.
// timeout bounds each request, as http.Client.Timeout does (0: none).
func (s *Server) Client(timeout time.Duration) *http.Client {
	c := ClientTo(s.addr, timeout)
	s.mu.Lock()
	s.transports = append(s.transports, c.Transport.(*http.Transport))
	s.mu.Unlock()
	return c
}

// Peak returns the largest number of requests for host (as in "amazon.com")
// that the server was handling at the same time, since it started: what a
// per-host limit on the client side is meant to bound.
func (s *Server) Peak(host string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak[hostName(host)]
}

// hostName is the site a Host names: lower case, without a port or "www.".
func hostName(host string) string {
	host = strings.ToLower(host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.TrimPrefix(host, "www.")
}

// Addr returns the server's host:port, for another process to reach it
// with ClientTo.
func (s *Server) Addr() string { return s.addr }

// ClientTo returns an HTTP client whose every connection goes to the
// offline internet at addr (a Server's Addr), whatever the URL says. A
// child process uses it to reach its parent's server. The caller closes
// its idle connections (CloseIdleConnections) when done with it.
func ClientTo(addr string, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", addr)
		},
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: timeout}
}

// RealClient returns a client for the real network, for learners who want
// to try real sites. The course's tests never use it.
func RealClient(timeout time.Duration) *http.Client { return &http.Client{Timeout: timeout} }

// Close stops the server: it ends requests in progress, closes every
// connection (its clients' idle ones too), and returns when the server's
// goroutines have ended. Calling it again is harmless: a later call waits
// for the first to finish and returns what it returned, so a deferred
// Close may follow an explicit one.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	s.mu.Lock()
	close(s.closing) // no request starts being handled after this
	s.mu.Unlock()
	err := s.srv.Close()
	s.mu.Lock()
	for c := range s.hijacked {
		c.Close()
	}
	for _, tr := range s.transports {
		tr.CloseIdleConnections()
	}
	s.mu.Unlock()
	s.handlers.Wait()
	if serveErr := <-s.done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// wait sleeps d, or less if the request or the server ends first; it
// reports whether the whole time passed.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.closing:
	}
	return false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	host := hostName(r.Host)
	s.mu.Lock()
	select {
	case <-s.closing:
		s.mu.Unlock()
		return
	default:
	}
	s.handlers.Add(1)
	s.inFlight[host]++
	s.peak[host] = max(s.peak[host], s.inFlight[host])
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight[host]--
		s.mu.Unlock()
		s.handlers.Done()
	}()
	switch {
	case host == "127.0.0.1" || host == "localhost" || host == "httpstat.us":
		if r.URL.Path != "/200" {
			http.NotFound(w, r)
			return
		}
		s.delay(w, r)
	case slices.Contains(silent, host):
		s.wait(r, 24*time.Hour) // never answers: the client gives up first
	case host == ServerError:
		http.Error(w, "internal server error", http.StatusInternalServerError)
	case host == Unavailable:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "service unavailable, come back later", http.StatusServiceUnavailable)
	case host == Flaky:
		s.mu.Lock()
		s.flaky++
		up := s.flaky%3 == 0
		s.mu.Unlock()
		if !up {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "flaky: down this time", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "flaky: up this time")
	case host == RedirectLoop:
		http.Redirect(w, r, "http://"+RedirectLoop+"/", http.StatusFound)
	case host == EndlessBody:
		s.endless(w, r)
	case host == Slowloris:
		s.slowloris(w)
	case host == Reset:
		s.reset(w)
	case strings.HasPrefix(host, "ep") && strings.HasSuffix(host, ".europython.eu"):
		s.europython(w, r, host)
	case slices.Contains(sites, host):
		if !s.wait(r, time.Duration(Latency(host)*float64(s.unit))) {
			return
		}
		if r.Method == http.MethodHead && slices.Contains(refusing, host) {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		fmt.Fprintf(w, "<html><body>Welcome to the offline %s</body></html>\n", host)
	default:
		http.Error(w, fmt.Sprintf("%s is not on the offline internet", host), http.StatusNotFound)
	}
}

// delay answers 200 after the number of milliseconds in ?sleep= (0 when
// absent), or 400 for a sleep that is not a whole number from 0 to
// MaxSleep. A client that goes away ends the wait.
func (s *Server) delay(w http.ResponseWriter, r *http.Request) {
	ms, err := sleepParam(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if s.wait(r, time.Duration(ms)*time.Millisecond) {
		fmt.Fprintf(w, "200 OK after %d ms\n", ms)
	}
}

// sleepParam reads ?sleep=MS: 0 when absent, an error for a value that is
// not a whole number of milliseconds from 0 to MaxSleep.
func sleepParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("sleep")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || time.Duration(n)*time.Millisecond > MaxSleep {
		return 0, fmt.Errorf("sleep=%q: want milliseconds from 0 to %d", v, MaxSleep.Milliseconds())
	}
	return n, nil
}

// endless answers 200 and writes a body until the client or server stops.
func (s *Server) endless(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	if r.Method == http.MethodHead {
		return
	}
	rc := http.NewResponseController(w)
	line := []byte(strings.Repeat("more ", 200) + "\n")
	for {
		if _, err := w.Write(line); err != nil || rc.Flush() != nil {
			return
		}
		if !s.wait(r, time.Millisecond) {
			return
		}
	}
}

// hijack takes the connection over from the HTTP server, and tracks it so
// that Close can close it.
func (s *Server) hijack(w http.ResponseWriter) (net.Conn, bool) {
	c, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, false
	}
	s.mu.Lock()
	s.hijacked[c] = struct{}{}
	s.mu.Unlock()
	return c, true
}

func (s *Server) release(c net.Conn) {
	c.Close()
	s.mu.Lock()
	delete(s.hijacked, c)
	s.mu.Unlock()
}

// slowloris sends its status line one byte at a time, a byte every
// trickle, so that the client's timeout is what ends the request.
func (s *Server) slowloris(w http.ResponseWriter) {
	c, ok := s.hijack(w)
	if !ok {
		return
	}
	defer s.release(c)
	for _, b := range []byte("HTTP/1.1 200 OK\r\nX-Slow: yes") {
		if _, err := c.Write([]byte{b}); err != nil {
			return
		}
		t := time.NewTimer(trickle)
		select {
		case <-t.C:
		case <-s.closing:
			t.Stop()
			return
		}
	}
	<-s.closing // the headers never end
}

// reset closes the connection with a TCP reset.
func (s *Server) reset(w http.ResponseWriter) {
	c, ok := s.hijack(w)
	if !ok {
		return
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0) // Close sends RST instead of FIN
	}
	s.release(c)
}

// europython serves a conference page with the known number of words,
// after the milliseconds of an optional ?sleep= (a slow page, for jobs that
// must last long enough to be interrupted).
func (s *Server) europython(w http.ResponseWriter, r *http.Request, host string) {
	year, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(host, "ep"), ".europython.eu"))
	words, ok := europythonWords[year]
	if err != nil || !ok {
		http.Error(w, fmt.Sprintf("%s is not on the offline internet", host), http.StatusNotFound)
		return
	}
	ms, err := sleepParam(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if !s.wait(r, time.Duration(ms)*time.Millisecond) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for i := range words {
		if i > 0 {
			io.WriteString(w, " ")
		}
		fmt.Fprintf(w, "word%d", i%97)
	}
	io.WriteString(w, "\n")
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
