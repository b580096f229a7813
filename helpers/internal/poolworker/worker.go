// Package poolworker is the worker process's side of package procpool:
// the registry of tasks a worker can run, and the loop that answers the
// pool's requests. Package proc's Serve runs Main in a process started
// in Role; it lives here, and not in procpool, because procpool imports
// proc.
package poolworker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/concurrency-kitchen/course/helpers/internal/quote"
	"github.com/concurrency-kitchen/course/helpers/internal/spawn"
	"github.com/concurrency-kitchen/course/helpers/internal/wire"
)

// Role is the role (spawn.RoleEnv) of a pool's worker processes.
const Role = "@worker"

// MaxMessageEnv tells a worker the message limit of its pool.
const MaxMessageEnv = spawn.EnvPrefix + "MAX_MESSAGE"

// Main is a worker process's main function: it serves Tasks on its
// descriptors 3 (requests), 4 (responses) and 5 (cancels), and returns
// the exit status. The end of the cancels stops the worker: the running
// tasks' context is cancelled and the worker exits once it has answered,
// or at once when it is waiting for a request.
func Main() int {
	max, err := strconv.Atoi(os.Getenv(MaxMessageEnv))
	if err != nil || max <= 0 {
		max = wire.DefaultMax
	}
	c := Conn{
		Requests:  os.NewFile(3, "requests"),
		Responses: os.NewFile(4, "responses"),
		Cancels:   os.NewFile(5, "cancels"),
		Max:       max,
		StopIdle:  func() { os.Exit(0) },
	}
	if err := Work(context.Background(), &Tasks, c); err != nil {
		fmt.Fprintln(os.Stderr, "procpool worker:", err)
		return 5
	}
	return 0
}

// A Conn is a worker's side of its pipes to the pool.
type Conn struct {
	// Requests brings one request frame at a time.
	Requests io.Reader
	// Responses takes the answer to each request.
	Responses io.Writer
	// Cancels, when not nil, brings cancel frames: a frame with the ID of
	// a request, and no items, cancels the context of its tasks. Its end
	// stops the worker, as a done context does.
	Cancels io.Reader
	// Max bounds the length of a frame.
	Max int
	// StopIdle, when set, is called if the worker is stopped while it
	// waits for a request, a read that Work cannot interrupt: a worker
	// process exits there.
	StopIdle func()
}

// Work says the worker is ready, then answers the requests with the
// tasks of reg, one request at a time. A request's tasks get a context
// that is cancelled by a cancel frame for it, or when the worker is
// stopped: when ctx is done or c.Cancels ends. Work returns nil at the end
// of the requests, or once it is stopped and has answered the request it
// was running (see Conn.StopIdle for one it was waiting for).
func Work(ctx context.Context, reg *Registry, c Conn) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	if err := wire.Write(c.Responses, wire.Frame{ID: wire.Ready}, c.Max); err != nil {
		return err
	}
	var running canceller
	if c.Cancels != nil {
		go func() {
			running.read(c.Cancels, c.Max)
			stop()
		}()
	}
	requests := &waitingReader{r: c.Requests, stop: ctx.Done()}
	if c.StopIdle != nil {
		defer context.AfterFunc(ctx, func() {
			if requests.waiting.Load() {
				c.StopIdle()
			}
		})()
	}
	for {
		f, err := wire.Read(requests, c.Max)
		if errors.Is(err, io.EOF) || errors.Is(err, errStopped) {
			return nil // the pool is done with this worker, or it is stopped
		}
		if err != nil {
			return err
		}
		rctx, cancel := context.WithCancel(ctx)
		running.start(f.ID, cancel)
		resp := answer(rctx, reg, f, c.Max)
		running.end()
		cancel()
		if err := wire.Write(c.Responses, resp, c.Max); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// A waitingReader says whether a Read of it is waiting. Once stop is
// closed, a Read fails with errStopped instead of waiting: either it sees
// stop closed, or whoever closed it sees the Read waiting.
type waitingReader struct {
	r       io.Reader
	stop    <-chan struct{}
	waiting atomic.Bool
}

// errStopped is the error of a Read of a stopped waitingReader.
var errStopped = errors.New("the worker is stopped")

func (w *waitingReader) Read(b []byte) (int, error) {
	w.waiting.Store(true)
	defer w.waiting.Store(false)
	select {
	case <-w.stop:
		return 0, errStopped
	default:
	}
	return w.r.Read(b)
}

// A canceller cancels the context of the running request when a cancel
// frame for it arrives. The cancels come on a pipe of their own, so one
// may come before its request: it is remembered, as request IDs only grow.
type canceller struct {
	mu        sync.Mutex
	id        int                // of the running request
	cancel    context.CancelFunc // nil when no request runs
	cancelled int                // the highest ID a cancel frame named
}

func (c *canceller) start(id int, cancel context.CancelFunc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.id, c.cancel = id, cancel
	if c.cancelled >= id {
		cancel()
	}
}

func (c *canceller) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancel = nil
}

// read applies the cancel frames from r until r ends.
func (c *canceller) read(r io.Reader, limit int) {
	for {
		f, err := wire.Read(r, limit)
		if err != nil {
			return
		}
		c.mu.Lock()
		c.cancelled = max(c.cancelled, f.ID)
		if c.cancel != nil && c.id == f.ID {
			c.cancel()
		}
		c.mu.Unlock()
	}
}

// answer runs the tasks of a request one after the other, each with its
// argument, and returns the response. A task the context stops before it
// starts fails with the context's error.
func answer(ctx context.Context, reg *Registry, req wire.Frame, max int) wire.Frame {
	results, errs := make([][]byte, len(req.Items)), make([]string, len(req.Items))
	h, ok := reg.Lookup(req.Name)
	total := 0
	for i, arg := range req.Items {
		var r []byte
		var err error
		switch {
		case !ok:
			err = fmt.Errorf("no function named %q in this program (have %s)", req.Name, quote.Names(reg.Names()))
		case ctx.Err() != nil:
			err = ctx.Err()
		default:
			r, err = h(ctx, arg)
		}
		switch {
		case err != nil:
			errs[i] = err.Error()
		case total+len(r) > max-1024:
			errs[i] = fmt.Sprintf("its result is %s, over the limit of %s for one message", wire.Size(len(r)), wire.Size(max))
		default:
			results[i] = r
			total += len(r)
		}
	}
	return wire.Frame{ID: req.ID, Items: results, Errs: errs}
}
