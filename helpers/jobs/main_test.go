package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/concurrency-kitchen/course/helpers/offline"
	"github.com/concurrency-kitchen/course/helpers/proc"
	"github.com/concurrency-kitchen/course/helpers/redisd"
)

// testBeat is the workers' heartbeat in the tests: a dead worker's jobs
// are back in the queue within about that long.
const testBeat = 300 * time.Millisecond

// A page is the argument of count_words: the page's URL, and the address
// of the offline internet that serves it.
type page struct {
	URL string `json:"url"`
	Via string `json:"via"`
}

// countWords is the seed's count_words: fetch a page, count its words.
func countWords(ctx context.Context, arg json.RawMessage) (any, error) {
	var p page
	if err := json.Unmarshal(arg, &p); err != nil {
		return nil, err
	}
	c := offline.ClientTo(p.Via, 30*time.Second)
	defer c.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return len(strings.Fields(string(body))), nil
}

// testHandlers are the functions the tests' workers run, in this process
// and in worker processes (this test binary, started again).
var testHandlers = map[string]Handler{
	"count_words": countWords,
	"square":      Typed(func(_ context.Context, n int) (int, error) { return n * n, nil }),
	"fail": func(context.Context, json.RawMessage) (any, error) {
		return nil, errors.New("the oven is cold")
	},
	"panic": func(context.Context, json.RawMessage) (any, error) { panic("the pan is on fire") },
	"unencodable": func(context.Context, json.RawMessage) (any, error) {
		return make(chan int), nil
	},
	"sleep": func(ctx context.Context, arg json.RawMessage) (any, error) {
		var ms int
		if err := json.Unmarshal(arg, &ms); err != nil {
			return nil, err
		}
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			return ms, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	},
	// getenv returns a variable of the worker's environment.
	"getenv": Typed(func(_ context.Context, name string) (string, error) { return os.Getenv(name), nil }),
	// crash kills the worker process that runs it: a machine that dies.
	"crash": func(context.Context, json.RawMessage) (any, error) {
		fmt.Fprintln(os.Stderr, "crash: this worker dies now")
		os.Exit(2)
		return nil, nil
	},
}

func TestMain(m *testing.M) {
	machine := Worker{Handlers: testHandlers, Options: Options{Heartbeat: testBeat, Log: os.Stderr}}
	proc.Serve(map[string]proc.ChildFunc{Role: machine.Main})
	os.Exit(m.Run())
}

// kinds are the two Redis servers every queue test runs against.
var kinds = []struct {
	name     string
	embedded bool
}{
	{"redis-server", false},
	{"embedded", true},
}

// startServer starts a Redis server of a kind, skipping the real one
// where the machine has none. Cleanup closes it and checks it is gone.
func startServer(t testing.TB, embedded bool) *redisd.Server {
	t.Helper()
	if !embedded {
		if _, err := redisd.Find(); err != nil {
			t.Skipf("%v: the real-server case is skipped (the embedded server is tested)", err)
		}
	}
	s, err := redisd.Start(context.Background(), redisd.Options{Embedded: embedded})
	if err != nil {
		t.Fatal(err)
	}
	if s.Embedded() != embedded {
		t.Fatalf("asked for embedded=%v, got %s", embedded, s.Kind())
	}
	t.Cleanup(func() {
		pid := s.PID()
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if pid != 0 && !leakcheck.Gone(pid) {
			t.Errorf("redis-server (pid %d) still exists after Close", pid)
		}
	})
	return s
}

// openQueue opens the queue named name on srv; it is closed when the test ends.
func openQueue(t *testing.T, ctx context.Context, srv *redisd.Server, name string, opts Options) *Queue {
	t.Helper()
	q, err := Open(ctx, srv.Addr(), name, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

// waitFor polls cond until it holds, or fails the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// workers starts worker processes like w on a queue, one for each name;
// cleanup kills them and checks that none is left.
func workers(t *testing.T, q *Queue, w Worker, names ...string) []*proc.Child {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var children []*proc.Child
	t.Cleanup(func() {
		cancel()
		for _, c := range children {
			c.Wait()
			if !leakcheck.Gone(c.PID) {
				t.Errorf("worker process %d still exists", c.PID)
			}
		}
	})
	for _, n := range names {
		w.Queue, w.Name = q.Name(), n
		c, err := w.Start(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		children = append(children, c)
	}
	waitFor(t, 20*time.Second, "the workers' heartbeats", func() bool {
		alive, err := q.Alive(context.Background())
		return err == nil && len(alive) == len(names)
	})
	return children
}

// inProcess runs a worker goroutine until cleanup.
func inProcess(t *testing.T, addr, queue, name string, opts Options) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- (Worker{Addr: addr, Queue: queue, Name: name, Handlers: testHandlers, Options: opts}).Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("worker %s: %v", name, err)
		}
	})
}
