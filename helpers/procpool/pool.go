// Package procpool runs tasks in a pool of worker processes, the Go twin
// of Python's concurrent.futures.ProcessPoolExecutor.
//
// A worker is this program started again, as a child of package proc
// does: the program calls proc.Serve first thing in main (in a notebook
// cell, first thing in the cell), and defines its tasks with Define at
// package level, so that a worker, which starts from the beginning, has
// them too. Arguments and results cross a pipe, encoded with
// encoding/gob.
//
// Two contexts bound the work. The one given to New bounds the pool's
// life: when it is done, every worker is told to stop, which cancels the
// context its tasks run with, and is killed a second later if it has not
// exited. The one given to Map or Submit bounds that call only: when it is
// done, the call returns, its tasks that have not started never do, the
// context of its running tasks is cancelled, and the pool goes on.
//
// Workers die with the parent, as proc's children do; see package proc
// for what that means for goroutines locked to their thread.
package procpool

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/poolworker"
	"github.com/concurrency-kitchen/course/helpers/internal/spawn"
	"github.com/concurrency-kitchen/course/helpers/internal/wire"
	"github.com/concurrency-kitchen/course/helpers/proc"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// DefaultMaxMessage bounds one message between a pool and a worker: the
// encoded arguments of a chunk, or its encoded results. A bigger message
// is an error for its tasks, not a crash of the pool.
const DefaultMaxMessage = wire.DefaultMax

// Options configure a Pool.
type Options struct {
	// Workers is how many worker processes run at once (default NumCPU).
	Workers int
	// Name names the workers' lanes and output prefixes: "worker 1", ...
	Name string
	// Timeline, when set, gets a span per chunk of tasks on its worker's
	// lane, and one for each worker's start-up (proc.StartupTask).
	Timeline *timing.Timeline
	// MaxMessage bounds the encoded arguments or results of one chunk
	// (default DefaultMaxMessage).
	MaxMessage int
	// Env is added to every worker's environment, as "KEY=value" strings:
	// an address to connect to, for example.
	Env []string
}

// A Pool is a set of worker processes that run Tasks. A worker that
// crashes fails the tasks it was running and is replaced; the other tasks
// go on. Create a pool with New (the zero Pool is not usable) and close
// it when done.
type Pool struct {
	opts Options

	mu     sync.Mutex
	cond   *sync.Cond
	queue  []*job
	closed bool
	pids   []int   // every worker process started, in order
	exits  []error // how the last worker of each slot exited, at Close

	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// A job is one chunk of tasks for one function, sent by one call.
type job struct {
	ctx   context.Context // the call's
	name  string
	label string
	args  [][]byte
	done  func(results [][]byte, errs []error) // called once
}

// fail fails every task of the job with err.
func (j *job) fail(err error) {
	errs := make([]error, len(j.args))
	for i := range errs {
		errs[i] = err
	}
	j.done(nil, errs)
}

// New starts the pool's worker processes, all at once, and returns when
// every one is ready. Each is this program started again; its main
// function must call proc.Serve first. ctx bounds the pool's life.
func New(ctx context.Context, opts Options) (*Pool, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.Name == "" {
		opts.Name = "worker"
	}
	if opts.MaxMessage <= 0 {
		opts.MaxMessage = DefaultMaxMessage
	}
	p := &Pool{opts: opts, exits: make([]error, opts.Workers)}
	p.cond = sync.NewCond(&p.mu)
	// The workers start at the same time: a pool is ready when its slowest
	// worker is, not after the sum of their start-ups.
	workers := make([]*worker, opts.Workers)
	errs := make([]error, opts.Workers)
	var starting sync.WaitGroup
	for i := range workers {
		starting.Go(func() { workers[i], errs[i] = p.startWorker(ctx, i) })
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
		p.wg.Go(func() { p.serve(ctx, i, w) })
	}
	return p, nil
}

// PIDs returns the process ids of every worker the pool has started,
// replacements included.
func (p *Pool) PIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.pids)
}

// Close lets the workers finish the queued and running tasks, then ends
// them and waits for them to exit. It returns an error for each worker
// that did not exit cleanly: one that was killed, for example, or ended
// by the pool's context. Calling Close again returns the same result.
func (p *Pool) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.cond.Broadcast()
		p.mu.Unlock()
		p.wg.Wait()
		p.closeErr = errors.Join(p.exits...)
	})
	return p.closeErr
}

func (p *Pool) submit(j *job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		j.fail(errors.New("procpool: the pool is closed"))
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

// serve runs jobs on the worker of slot i, replacing the worker when it
// dies, until the pool is closed. ctx is the pool's.
func (p *Pool) serve(ctx context.Context, i int, w *worker) {
	for {
		j := p.next()
		if j == nil {
			if w != nil {
				p.exits[i] = w.stop() // read by Close, after wg.Wait
			}
			return
		}
		if err := cmp.Or(ctx.Err(), j.ctx.Err()); err != nil { // the pool's or the call's
			j.fail(fmt.Errorf("procpool: cancelled: %w", err))
			continue
		}
		if w == nil {
			var err error
			if w, err = p.startWorker(ctx, i); err != nil {
				j.fail(err)
				continue
			}
		}
		if err := w.run(j, p.opts); err != nil {
			j.fail(err)
			w = nil // it is gone; a new worker takes the next job
		}
	}
}

// A worker is one worker process, seen from the parent.
type worker struct {
	lane    string
	child   *spawn.Process
	req     *os.File // requests to the worker
	resp    *os.File // responses from the worker
	cancels *os.File // cancel frames to the worker
	id      int      // of the last request
}

// startWorker starts the worker of slot i and waits until it is ready.
func (p *Pool) startWorker(ctx context.Context, i int) (*worker, error) {
	lane := fmt.Sprintf("%s %d", p.opts.Name, i+1)
	// Three pipes: requests, responses, cancels.
	var ends [6]*os.File
	for k := 0; k < len(ends); k += 2 {
		var err error
		if ends[k], ends[k+1], err = os.Pipe(); err != nil {
			closeFiles(ends[:k])
			return nil, fmt.Errorf("procpool: %w", err)
		}
	}
	theirs := []*os.File{ends[0], ends[3], ends[4]} // the worker's descriptors 3, 4 and 5
	w := &worker{lane: lane, req: ends[1], resp: ends[2], cancels: ends[5]}
	wire.GrowPipe(w.req)
	wire.GrowPipe(w.resp)
	tl := p.opts.Timeline
	var spawned time.Duration
	if tl != nil {
		spawned = tl.Now()
	}
	child, err := spawn.Start(ctx, spawn.Options{
		Role:  poolworker.Role,
		Lane:  lane,
		Files: theirs,
		Env:   append(slices.Clone(p.opts.Env), poolworker.MaxMessageEnv+"="+strconv.Itoa(p.opts.MaxMessage)),
		Stop:  w.cancels.Close, // the end of its cancels stops the worker
	})
	closeFiles(theirs) // the worker has its own copies
	if err != nil {
		closeFiles([]*os.File{w.req, w.resp, w.cancels})
		return nil, fmt.Errorf("procpool: %w", err)
	}
	w.child = child
	p.mu.Lock()
	p.pids = append(p.pids, child.PID)
	p.mu.Unlock()
	if f, err := wire.Read(w.resp, p.opts.MaxMessage); err != nil || f.ID != wire.Ready {
		return nil, w.died(fmt.Errorf("no ready message: %v", err))
	}
	if tl != nil {
		tl.Add(timing.Span{Lane: lane, Task: proc.StartupTask, Start: spawned, End: tl.Now()})
	}
	return w, nil
}

func closeFiles(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// run sends one job to the worker and delivers its results. While the
// worker runs it, a done context of the job's call sends a cancel frame.
// An error means the worker is gone: died has ended it.
func (w *worker) run(j *job, opts Options) error {
	w.id++
	var start time.Duration
	if opts.Timeline != nil {
		start = opts.Timeline.Now()
	}
	id := w.id
	if err := wire.Write(w.req, wire.Frame{ID: id, Name: j.name, Items: j.args}, opts.MaxMessage); err != nil {
		if errors.Is(err, wire.ErrTooBig) { // nothing was sent: the worker is fine, the tasks fail
			j.fail(fmt.Errorf("procpool: the arguments of %s: %w", j.label, err))
			return nil
		}
		return w.died(err)
	}
	// A late cancel frame is harmless: it names a request that has ended.
	stop := context.AfterFunc(j.ctx, func() { wire.Write(w.cancels, wire.Frame{ID: id}, opts.MaxMessage) })
	resp, err := wire.Read(w.resp, opts.MaxMessage)
	stop()
	if err != nil {
		return w.died(err)
	}
	if resp.ID != id || len(resp.Items) != len(j.args) {
		return w.died(fmt.Errorf("procpool: worker %s answered out of turn", w.lane))
	}
	if opts.Timeline != nil {
		opts.Timeline.Add(timing.Span{Lane: w.lane, Task: j.label, Start: start, End: opts.Timeline.Now()})
	}
	errs := make([]error, len(j.args))
	for i, e := range resp.Errs {
		switch e {
		case "":
		case context.Canceled.Error(): // the task's context, cancelled in the worker
			errs[i] = context.Canceled
		case context.DeadlineExceeded.Error():
			errs[i] = context.DeadlineExceeded
		default:
			errs[i] = errors.New(e)
		}
	}
	j.done(resp.Items, errs)
	return nil
}

// died ends a worker that cannot be used any more, and describes it: its
// exit status and last output when it has crashed, or else cause.
func (w *worker) died(cause error) error {
	w.req.Close()
	w.child.Kill() // a worker that crashed keeps its own exit status
	werr := w.child.Wait()
	w.resp.Close()
	w.cancels.Close()
	if werr == nil {
		werr = cause
	}
	return fmt.Errorf("procpool: worker %s (pid %d) stopped: %w", w.lane, w.child.PID, werr)
}

// stop ends an idle worker, which exits when its requests end, and
// returns an error when it did not exit cleanly.
func (w *worker) stop() error {
	w.req.Close()
	err := w.child.Wait()
	w.resp.Close()
	w.cancels.Close()
	if err != nil {
		return fmt.Errorf("procpool: %w", err)
	}
	return nil
}
