package proc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

const (
	workerRole    = "@worker"
	maxMessageEnv = "COURSE_PROC_MAX_MESSAGE"
)

// serveWorker is a pool worker's main loop: it says it is ready, then
// answers requests from descriptor 4 on descriptor 5 until the parent
// closes the requests.
func serveWorker(reg *Registry) int {
	in, out := os.NewFile(4, "requests"), os.NewFile(5, "responses")
	max, err := strconv.Atoi(os.Getenv(maxMessageEnv))
	if err != nil || max <= 0 {
		max = DefaultMaxMessage
	}
	if err := writeFrame(out, -1, "", nil, nil, max); err != nil {
		fmt.Fprintln(os.Stderr, "proc worker:", err)
		return 5
	}
	ctx := context.Background()
	for {
		id, name, args, _, err := readFrame(in, max)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0
			}
			fmt.Fprintln(os.Stderr, "proc worker:", err)
			return 5
		}
		results, errs := make([][]byte, len(args)), make([]string, len(args))
		h, ok := reg.lookup(name)
		total := 0
		for i, arg := range args {
			if !ok {
				errs[i] = fmt.Sprintf("no function named %q in this program (have %s)", name, reg.describe())
				continue
			}
			r, err := h(ctx, arg)
			switch {
			case err != nil:
				errs[i] = err.Error()
			case total+len(r) > max-1024:
				errs[i] = fmt.Sprintf("its result is %s, over the limit of %s for one message", size(len(r)), size(max))
			default:
				results[i] = r
				total += len(r)
			}
		}
		if err := writeFrame(out, id, "", results, errs, max); err != nil {
			fmt.Fprintln(os.Stderr, "proc worker:", err)
			return 5
		}
	}
}

// PoolOptions configure a Pool.
type PoolOptions struct {
	// Workers is how many worker processes run at once (default NumCPU).
	Workers int
	// Name names the workers' lanes and output prefixes: "worker 1", ...
	Name string
	// Timeline, when set, gets a span per chunk of tasks on its worker's
	// lane, and one for each worker's start-up.
	Timeline *timing.Timeline
	// MaxMessage bounds the encoded arguments or results of one chunk
	// (default DefaultMaxMessage).
	MaxMessage int
}

// A Pool is a set of worker processes that run Fns, the twin of Python's
// ProcessPoolExecutor. A worker that crashes fails the tasks it was
// running and is replaced; the other tasks go on. Close the pool when
// done; cancelling its context kills every worker.
type Pool struct {
	opts PoolOptions
	ctx  context.Context

	mu     sync.Mutex
	cond   *sync.Cond
	queue  []*job
	closed bool
	pids   []int // every worker process started, in order

	wg sync.WaitGroup
}

// A job is one chunk of tasks for one function.
type job struct {
	name  string
	label string
	args  [][]byte
	done  func(results [][]byte, errs []error)
}

// NewPool starts the pool's worker processes. Each is this program
// started again; its main function must call Serve first.
func NewPool(ctx context.Context, opts PoolOptions) (*Pool, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.Name == "" {
		opts.Name = "worker"
	}
	if opts.MaxMessage <= 0 {
		opts.MaxMessage = DefaultMaxMessage
	}
	p := &Pool{opts: opts, ctx: ctx}
	p.cond = sync.NewCond(&p.mu)
	// The workers start at the same time: a pool is ready when its slowest
	// worker is, not after the sum of their start-ups.
	workers := make([]*worker, opts.Workers)
	errs := make([]error, opts.Workers)
	var starting sync.WaitGroup
	for i := range workers {
		starting.Go(func() { workers[i], errs[i] = p.startWorker(i) })
	}
	starting.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, w := range workers {
			if w != nil {
				w.stop()
			}
		}
		return nil, err
	}
	for i, w := range workers {
		p.wg.Go(func() { p.serve(i, w) })
	}
	return p, nil
}

// PIDs returns the process ids of every worker the pool has started,
// replacements included.
func (p *Pool) PIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int(nil), p.pids...)
}

// Close lets the workers finish the queued tasks, then ends them and
// waits for them to exit.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	p.wg.Wait()
	return nil
}

func (p *Pool) submit(j *job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		j.done(nil, repeatErr(errors.New("proc: the pool is closed"), len(j.args)))
		return
	}
	p.queue = append(p.queue, j)
	p.cond.Signal()
}

// next returns the next job, or nil when the pool is closed and empty.
func (p *Pool) next() *job {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.queue) == 0 && !p.closed {
		p.cond.Wait()
	}
	if len(p.queue) == 0 {
		return nil
	}
	j := p.queue[0]
	p.queue = p.queue[1:]
	return j
}

// serve runs jobs on worker i, replacing the worker when it dies.
func (p *Pool) serve(i int, w *worker) {
	for {
		j := p.next()
		if j == nil {
			if w != nil {
				w.stop()
			}
			return
		}
		if err := p.ctx.Err(); err != nil {
			j.done(nil, repeatErr(fmt.Errorf("proc: cancelled: %w", err), len(j.args)))
			continue
		}
		if w == nil {
			var err error
			if w, err = p.startWorker(i); err != nil {
				j.done(nil, repeatErr(err, len(j.args)))
				continue
			}
		}
		if err := w.run(j, p.opts); err != nil {
			j.done(nil, repeatErr(err, len(j.args)))
			w.stop()
			w = nil // a new worker takes the next job
		}
	}
}

func repeatErr(err error, n int) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

// A worker is one worker process, seen from the parent.
type worker struct {
	lane  string
	child *Child
	req   *os.File // requests to the child
	resp  *os.File // responses from the child
	id    int
}

func (p *Pool) startWorker(i int) (*worker, error) {
	lane := fmt.Sprintf("%s %d", p.opts.Name, i+1)
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("proc: %w", err)
	}
	respR, respW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, fmt.Errorf("proc: %w", err)
	}
	growPipe(reqW)
	growPipe(respR)
	tl := p.opts.Timeline
	var spawned time.Duration
	if tl != nil {
		spawned = tl.Now()
	}
	// Descriptor 3 is unused by workers (it carries spans for Start's
	// children); 4 and 5 carry requests and responses.
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return nil, fmt.Errorf("proc: %w", err)
	}
	child, err := startCmd(p.ctx, workerRole, lane, []*os.File{devnull, reqR, respW},
		[]string{maxMessageEnv + "=" + strconv.Itoa(p.opts.MaxMessage)})
	devnull.Close()
	reqR.Close()
	respW.Close()
	if err != nil {
		reqW.Close()
		respR.Close()
		return nil, err
	}
	p.mu.Lock()
	p.pids = append(p.pids, child.PID)
	p.mu.Unlock()
	w := &worker{lane: lane, child: child, req: reqW, resp: respR}
	if id, _, _, _, err := readFrame(respR, p.opts.MaxMessage); err != nil || id != -1 {
		w.stop()
		return nil, w.died(fmt.Errorf("no ready message: %v", err))
	}
	if tl != nil {
		tl.Add(timing.Span{Lane: lane, Task: StartupTask, Start: spawned, End: tl.Now()})
	}
	return w, nil
}

// run sends one job to the worker and delivers its results. An error
// means the worker can no longer be used.
func (w *worker) run(j *job, opts PoolOptions) error {
	w.id++
	var start time.Duration
	if opts.Timeline != nil {
		start = opts.Timeline.Now()
	}
	if err := writeFrame(w.req, w.id, j.name, j.args, nil, opts.MaxMessage); err != nil {
		if errors.Is(err, errTooBig) { // nothing was sent: the worker is fine, the tasks fail
			j.done(nil, repeatErr(fmt.Errorf("proc: the arguments of %s: %w", j.label, err), len(j.args)))
			return nil
		}
		return w.died(err)
	}
	id, _, results, texts, err := readFrame(w.resp, opts.MaxMessage)
	if err != nil {
		return w.died(err)
	}
	if id != w.id || len(results) != len(j.args) {
		return w.died(fmt.Errorf("proc: worker %s answered out of turn", w.lane))
	}
	if opts.Timeline != nil {
		opts.Timeline.Add(timing.Span{Lane: w.lane, Task: j.label, Start: start, End: opts.Timeline.Now()})
	}
	errs := make([]error, len(j.args))
	for i, e := range texts {
		if e != "" {
			errs[i] = errors.New(e)
		}
	}
	j.done(results, errs)
	return nil
}

// died describes a worker that stopped answering: its exit status and
// last output when it has exited.
func (w *worker) died(cause error) error {
	w.req.Close()
	w.child.cmd.Process.Kill() // unusable now; a worker that crashed keeps its own exit status
	werr := w.child.Wait()
	if werr == nil {
		werr = cause
	}
	return fmt.Errorf("proc: worker %s (pid %d) stopped: %w", w.lane, w.child.PID, werr)
}

// stop ends the worker: it exits when its requests end.
func (w *worker) stop() {
	w.req.Close()
	w.child.Wait()
	w.resp.Close()
}

// A TaskError is the failure of one task of a Map.
type TaskError struct {
	Index int
	Err   error
}

func (e *TaskError) Error() string { return fmt.Sprintf("task %d: %v", e.Index, e.Err) }
func (e *TaskError) Unwrap() error { return e.Err }

// Map runs fn on every argument in the pool's workers, chunk arguments
// to a message, and returns the results in the order of args. Tasks that
// fail leave a zero result and a *TaskError in the returned error; the
// others still run and return their results. An argument that cannot be
// encoded fails its task before anything is sent.
func Map[A, R any](p *Pool, fn *Fn[A, R], args []A, chunk int) ([]R, error) {
	if chunk <= 0 {
		chunk = 1
	}
	results := make([]R, len(args))
	errs := make([]error, len(args))
	encoded := make([][]byte, len(args))
	for i, a := range args {
		b, err := encode(a)
		if err != nil {
			errs[i] = fmt.Errorf("proc: the argument cannot be encoded for a child process: %w", err)
		}
		encoded[i] = b
	}
	var wg sync.WaitGroup
	for lo := 0; lo < len(args); lo += chunk {
		hi := min(lo+chunk, len(args))
		// Send only the encodable arguments of the chunk; remember where they go.
		var idx []int
		var batch [][]byte
		for i := lo; i < hi; i++ {
			if errs[i] == nil {
				idx = append(idx, i)
				batch = append(batch, encoded[i])
			}
		}
		if len(batch) == 0 {
			continue
		}
		label := fmt.Sprintf("%s #%d", fn.name, lo)
		if hi-lo > 1 {
			label = fmt.Sprintf("%s #%d-%d", fn.name, lo, hi-1)
		} else if a, ok := shortArg(args[lo]); ok {
			label = fmt.Sprintf("%s(%s)", fn.name, a) // a short argument names the task best: fib(41)
		}
		wg.Add(1)
		p.submit(&job{name: fn.name, label: label, args: batch, done: func(res [][]byte, es []error) {
			defer wg.Done()
			for k, i := range idx {
				switch {
				case es[k] != nil:
					errs[i] = es[k]
				case res != nil:
					if err := decode(res[k], &results[i]); err != nil {
						errs[i] = fmt.Errorf("proc: decoding the result: %w", err)
					}
				}
			}
		}})
	}
	wg.Wait()
	var all []error
	for i, err := range errs {
		if err != nil {
			all = append(all, &TaskError{Index: i, Err: err})
		}
	}
	return results, errors.Join(all...)
}

// A Future is the result of a task submitted to a pool.
type Future[R any] struct {
	done chan struct{}
	r    R
	err  error
}

// Wait blocks until the task is done and returns its result.
func (f *Future[R]) Wait() (R, error) {
	<-f.done
	return f.r, f.err
}

// Submit queues fn(arg) on the pool and returns at once.
func Submit[A, R any](p *Pool, fn *Fn[A, R], arg A) *Future[R] {
	f := &Future[R]{done: make(chan struct{})}
	b, err := encode(arg)
	if err != nil {
		f.err = fmt.Errorf("proc: the argument cannot be encoded for a child process: %w", err)
		close(f.done)
		return f
	}
	label := fn.name
	if a, ok := shortArg(arg); ok {
		label = fmt.Sprintf("%s(%s)", fn.name, a)
	}
	p.submit(&job{name: fn.name, label: label, args: [][]byte{b}, done: func(res [][]byte, es []error) {
		defer close(f.done)
		if f.err = es[0]; f.err == nil && res != nil {
			if err := decode(res[0], &f.r); err != nil {
				f.err = fmt.Errorf("proc: decoding the result: %w", err)
			}
		}
	}})
	return f
}

// shortArg formats a number, a bool or a short string, and reports false
// for anything else, without formatting it (an argument may be megabytes).
func shortArg(a any) (string, bool) {
	v := reflect.ValueOf(a)
	switch v.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return fmt.Sprint(a), true
	case reflect.String:
		if v.Len() <= 24 {
			return fmt.Sprint(a), true
		}
	}
	return "", false
}
