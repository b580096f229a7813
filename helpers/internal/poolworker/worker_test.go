package poolworker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/concurrency-kitchen/course/helpers/internal/wire"
)

// testRegistry is a fresh registry: upper, fail, big, and block, which
// says on started that it has started, then waits for its context.
func testRegistry(started chan<- struct{}) *Registry {
	var reg Registry
	reg.Add("upper", func(_ context.Context, arg []byte) ([]byte, error) { return []byte(strings.ToUpper(string(arg))), nil })
	reg.Add("fail", func(context.Context, []byte) ([]byte, error) { return nil, errors.New("it failed") })
	reg.Add("big", func(context.Context, []byte) ([]byte, error) { return make([]byte, 3584), nil })
	reg.Add("block", func(ctx context.Context, _ []byte) ([]byte, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	})
	return &reg
}

// A conn is the parent's end of a worker that runs Work in a goroutine.
type conn struct {
	t       *testing.T
	req     *os.File
	resp    *os.File
	cancels *os.File
	done    chan error    // Work's result
	started chan struct{} // block has started
	idle    chan struct{} // StopIdle was called
}

func startWork(t *testing.T, ctx context.Context, max int) *conn {
	t.Helper()
	var ends [6]*os.File
	for k := 0; k < len(ends); k += 2 {
		var err error
		if ends[k], ends[k+1], err = os.Pipe(); err != nil {
			t.Fatal(err)
		}
	}
	c := &conn{t: t, req: ends[1], resp: ends[2], cancels: ends[5], done: make(chan error, 1),
		started: make(chan struct{}, 10), idle: make(chan struct{}, 1)}
	go func() {
		err := Work(ctx, testRegistry(c.started), Conn{Requests: ends[0], Responses: ends[3], Cancels: ends[4], Max: max,
			StopIdle: func() { c.idle <- struct{}{} }})
		ends[3].Close()
		c.done <- err
	}()
	t.Cleanup(func() {
		for _, f := range ends {
			f.Close()
		}
	})
	if f := c.read(); f.ID != wire.Ready {
		t.Fatalf("the first frame is %+v, want the ready frame", f)
	}
	return c
}

// cancel sends a cancel frame for the request id.
func (c *conn) cancel(id int) {
	c.t.Helper()
	if err := wire.Write(c.cancels, wire.Frame{ID: id}, 1<<20); err != nil {
		c.t.Fatal(err)
	}
}

func (c *conn) write(f wire.Frame) {
	c.t.Helper()
	if err := wire.Write(c.req, f, 1<<20); err != nil {
		c.t.Fatal(err)
	}
}

func (c *conn) read() wire.Frame {
	c.t.Helper()
	f, err := wire.Read(c.resp, 1<<20)
	if err != nil {
		c.t.Fatal(err)
	}
	return f
}

// result waits for Work to return.
func (c *conn) result() error {
	c.t.Helper()
	select {
	case err := <-c.done:
		return err
	case <-time.After(3 * time.Second):
		c.t.Fatal("Work did not return")
		return nil
	}
}

func TestWork(t *testing.T) {
	before := runtime.NumGoroutine()
	c := startWork(t, context.Background(), 4096)
	tests := []struct {
		req   wire.Frame
		items []string
		errs  []string // the start of each error text
	}{
		{wire.Frame{ID: 1, Name: "upper", Items: [][]byte{[]byte("a"), []byte("bc")}}, []string{"A", "BC"}, []string{"", ""}},
		{wire.Frame{ID: 2, Name: "fail", Items: [][]byte{nil}}, []string{""}, []string{"it failed"}},
		{wire.Frame{ID: 3, Name: "nope", Items: [][]byte{nil, nil}}, []string{"", ""},
			[]string{`no function named "nope" in this program (have "big", "block", "fail", "upper")`, "no function named"}},
		{wire.Frame{ID: 4, Name: "big", Items: [][]byte{nil}}, []string{""}, []string{"its result is 3.5 KiB, over the limit of 4.0 KiB for one message"}},
	}
	for _, tt := range tests {
		c.write(tt.req)
		f := c.read()
		if f.ID != tt.req.ID || len(f.Items) != len(tt.items) {
			t.Fatalf("request %d: answer %+v", tt.req.ID, f)
		}
		for i := range tt.items {
			if string(f.Items[i]) != tt.items[i] || !strings.HasPrefix(f.Errs[i], tt.errs[i]) || (tt.errs[i] == "") != (f.Errs[i] == "") {
				t.Errorf("request %d, task %d: %q, error %q; want %q, %q", tt.req.ID, i, f.Items[i], f.Errs[i], tt.items[i], tt.errs[i])
			}
		}
	}
	c.req.Close() // the parent is done
	c.cancels.Close()
	if err := c.result(); err != nil {
		t.Errorf("Work at the end of its requests: %v", err)
	}
	leakcheck.Goroutines(t, before)
}

// TestCancel: a cancel frame cancels the running request's context, not
// a later one, even when it comes before its request; the tasks of the
// request that have not started fail.
func TestCancel(t *testing.T) {
	c := startWork(t, context.Background(), 1<<20)
	c.write(wire.Frame{ID: 1, Name: "block", Items: [][]byte{nil, nil}})
	<-c.started
	c.cancel(1)
	f := c.read()
	if f.ID != 1 || f.Errs[0] != context.Canceled.Error() || f.Errs[1] != context.Canceled.Error() {
		t.Errorf("the cancelled request's answer: %+v", f)
	}
	// A late cancel for request 1 does not touch request 2.
	c.cancel(1)
	c.write(wire.Frame{ID: 2, Name: "upper", Items: [][]byte{[]byte("x")}})
	if f := c.read(); string(f.Items[0]) != "X" || f.Errs[0] != "" {
		t.Errorf("after a late cancel: %+v", f)
	}
	// A cancel that comes before its request still cancels it.
	c.cancel(3)
	time.Sleep(50 * time.Millisecond)
	c.write(wire.Frame{ID: 3, Name: "block", Items: [][]byte{nil}})
	if f := c.read(); f.ID != 3 || f.Errs[0] != context.Canceled.Error() {
		t.Errorf("a request cancelled before it came: %+v", f)
	}
}

// TestStop: a worker is stopped by its context or by the end of its
// cancels. The running request is answered, its tasks see their context
// cancelled, and then Work returns without waiting for the end of its
// requests; a worker that waits for a request calls StopIdle.
func TestStop(t *testing.T) {
	tests := []struct {
		name    string
		running bool
		byEnd   bool // of the cancels, or else of the context
	}{
		{"running, context done", true, false},
		{"running, cancels ended", true, true},
		{"idle, context done", false, false},
		{"idle, cancels ended", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := startWork(t, ctx, 1<<20)
			if tt.running {
				c.write(wire.Frame{ID: 1, Name: "block", Items: [][]byte{nil, nil}})
				<-c.started
			}
			if tt.byEnd {
				c.cancels.Close()
			} else {
				cancel()
			}
			if !tt.running {
				// Work returns, or, when it was in a read already, calls
				// StopIdle, which leaves it to us to end the read.
				select {
				case err := <-c.done:
					if err != nil {
						t.Errorf("Work: %v", err)
					}
				case <-c.idle:
					c.req.Close()
					if err := c.result(); err != nil {
						t.Errorf("Work: %v", err)
					}
				case <-time.After(3 * time.Second):
					t.Fatal("a stopped idle worker neither returned nor called StopIdle")
				}
				return
			}
			if f := c.read(); f.ID != 1 || f.Errs[0] != context.Canceled.Error() || f.Errs[1] != context.Canceled.Error() {
				t.Errorf("the answer: %+v", f)
			}
			if err := c.result(); err != nil {
				t.Errorf("Work: %v", err)
			}
		})
	}
}

func TestFrameCutShort(t *testing.T) {
	c := startWork(t, context.Background(), 1<<20)
	c.req.Write([]byte{0, 0, 0, 9, 1})
	c.req.Close()
	if err := c.result(); err == nil || !strings.Contains(err.Error(), "message cut short") {
		t.Errorf("Work: %v, want an error saying the message was cut short", err)
	}
}

func TestRegistry(t *testing.T) {
	var reg Registry
	if names := reg.Names(); len(names) != 0 {
		t.Errorf("the zero Registry has %q", names)
	}
	for _, n := range []string{"b", "a", "b"} {
		reg.Add(n, func(context.Context, []byte) ([]byte, error) { return []byte(n), nil })
	}
	if got := fmt.Sprint(reg.Names()); got != "[a b]" {
		t.Errorf("Names = %s, want [a b]", got)
	}
	h, ok := reg.Lookup("b")
	if r, _ := h(context.Background(), nil); !ok || string(r) != "b" {
		t.Errorf("Lookup(b) = %q, %v", r, ok)
	}
	if _, ok := reg.Lookup("c"); ok {
		t.Error("Lookup found c")
	}
}
