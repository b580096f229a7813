// Package uptime is the uptime checker that lesson 10 writes in its cells,
// for the lessons after it: ping (a HEAD request with a timeout), notify an
// owner, check a website, check a list with a pool of goroutines. It also
// holds what both lessons use around the checker: the offline internet of
// the 33 sites, the models of a check and of a pool, and the results table.
//
// A check never fails: a site that is down is a Result, with a verdict that
// says why. A check whose context ends first (the cell is interrupted, a
// round's deadline passed) is "not checked", and nobody is notified.
package uptime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/concurrency-kitchen/course/helpers/offline"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// The knobs of the checker, in time units: how long a site may take to
// answer, and how long it takes to notify an owner.
const (
	TimeoutUnits = 1.0
	NotifyUnits  = 0.5
)

// NotChecked starts the verdict of a check that its context ended.
const NotChecked = "not checked"

// Websites returns the Python text's 33 addresses (http://amazon.com, ...),
// in its order. The slice is the caller's own.
func Websites() []string {
	var list []string
	for _, site := range offline.Sites() {
		list = append(list, "http://"+site)
	}
	return list
}

// Internet starts the offline internet and returns a client for it whose
// requests end after TimeoutUnits. With real set, the client is one for the
// real network instead (the server still starts, and stop closes it).
// stop closes the client's idle connections and the server.
func Internet(real bool) (client *http.Client, server *offline.Server, stop func(), err error) {
	server, err = offline.Start()
	if err != nil {
		return nil, nil, nil, err
	}
	client = server.Client(timing.Units(TimeoutUnits))
	if real {
		client = offline.RealClient(timing.Units(TimeoutUnits))
	}
	stop = func() {
		client.CloseIdleConnections()
		server.Close()
	}
	return client, server, stop, nil
}

// HostOf returns the host of an address, or the address itself when it has
// none.
func HostOf(address string) string {
	if u, err := url.Parse(address); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return address
}

// DownError says that a site is down, and why.
type DownError struct {
	Site   string
	Status int   // the status it answered, or 0 when it did not answer
	Cause  error // why it did not answer
}

func (e *DownError) Error() string { return e.Site + " is down: " + e.Reason() }

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *DownError) Unwrap() error { return e.Cause }

// Reason says in a few words why the site is down.
func (e *DownError) Reason() string {
	var netErr net.Error
	switch {
	case e.Status != 0:
		return fmt.Sprintf("it answered %d %s", e.Status, http.StatusText(e.Status))
	case e.Cause == nil:
		return "no reason given"
	case errors.As(e.Cause, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no answer within %.1f units", TimeoutUnits)
	case errors.Is(e.Cause, syscall.ECONNRESET):
		return "it reset the connection"
	case strings.Contains(e.Cause.Error(), "stopped after 10 redirects"):
		return "it redirects in a loop (stopped after 10 redirects)"
	default:
		return e.Cause.Error()
	}
}

// Ping sends a HEAD request to address. It returns the status, and a
// *DownError when the site answers 400 or more or not at all. A malformed
// address, or one that is not http or https, is the caller's mistake: a
// plain error, at once, with no request.
func Ping(ctx context.Context, client *http.Client, address string) (int, error) {
	u, err := url.Parse(address)
	if err != nil {
		return 0, fmt.Errorf("bad address: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, fmt.Errorf("bad address %q: want http:// or https:// and a host name", address)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, address, nil)
	if err != nil {
		return 0, fmt.Errorf("bad address: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, &DownError{Site: u.Host, Cause: err}
	}
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return resp.StatusCode, &DownError{Site: u.Host, Status: resp.StatusCode}
	}
	return resp.StatusCode, nil
}

// NotifyOwner tells the owner of address that the site is down: it takes
// NotifyUnits, or less when ctx ends first.
func NotifyOwner(ctx context.Context, address string) {
	select {
	case <-time.After(timing.Units(NotifyUnits)):
	case <-ctx.Done():
	}
}

// A Result is the outcome of one check.
type Result struct {
	Site    string
	Status  int           // the HTTP status, 0 when none came
	Took    time.Duration // how long the ping took (the notification not included)
	Verdict string
	Down    bool // the owner was notified
}

// Checked reports whether the check got a verdict: false when its context
// ended first.
func (r Result) Checked() bool { return !strings.HasPrefix(r.Verdict, NotChecked) }

// CheckWebsite pings address and notifies its owner when it is down. Its
// steps are spans on lane of tl.
func CheckWebsite(ctx context.Context, client *http.Client, address string, tl *timing.Timeline, lane string) Result {
	host := HostOf(address)
	end := tl.Track(lane, host)
	sw := timing.Start()
	status, err := Ping(ctx, client, address)
	r := Result{Site: address, Status: status, Took: sw.Elapsed()}
	end()
	var down *DownError
	switch {
	case err == nil:
		r.Verdict = "up"
	case ctx.Err() != nil:
		r.Verdict = NotChecked + ": " + context.Cause(ctx).Error()
	case errors.As(err, &down):
		r.Down = true
		r.Verdict = "down: " + down.Reason()
		defer tl.Track(lane, "notify "+host)()
		NotifyOwner(ctx, address)
	default:
		r.Verdict = err.Error()
	}
	return r
}

// CheckPool checks sites with a pool of workers goroutines and returns the
// results in the order of sites. Each worker has a lane on tl ("worker 1",
// ...). Sites left when ctx ends are "not checked", at once.
func CheckPool(ctx context.Context, client *http.Client, sites []string, workers int, tl *timing.Timeline) []Result {
	results := make([]Result, len(sites))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		lane := fmt.Sprintf("worker %d", w+1)
		wg.Go(func() {
			for i := range jobs {
				results[i] = CheckWebsite(ctx, client, sites[i], tl, lane)
			}
		})
	}
	for i := range sites {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results
}
