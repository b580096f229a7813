package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/jobstore"
	"github.com/concurrency-kitchen/course/helpers/internal/quietredis"
	"github.com/concurrency-kitchen/course/helpers/internal/quote"
	"github.com/concurrency-kitchen/course/helpers/proc"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// A Handler runs one job: it gets the job's argument as JSON and returns
// a result that can be encoded as JSON, or an error that fails the job.
// ctx is cancelled when the worker stops.
type Handler func(ctx context.Context, arg json.RawMessage) (any, error)

// Typed returns a Handler that decodes the job's argument into an A,
// calls f with it, and returns f's result. An argument that is not an A
// fails the job.
func Typed[A, R any](f func(ctx context.Context, arg A) (R, error)) Handler {
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var arg A
		if err := json.Unmarshal(raw, &arg); err != nil {
			return nil, fmt.Errorf("decoding the argument %s: %w", raw, err)
		}
		return f(ctx, arg)
	}
}

// A Worker takes the jobs of one queue, one at a time, and runs each with
// the handler registered under its function's name. Run runs it in this
// process; Start runs it in a worker process, which stands for a machine.
type Worker struct {
	Addr     string             // the Redis server's address (as for Open): a secret, passed in the environment
	Queue    string             // the queue's name
	Name     string             // the worker's name: no two live workers of a queue share one
	Handlers map[string]Handler // the functions it can run, by name
	Options                     // its heartbeat, log and timeline
	// Env is added to the environment of the worker process that Start
	// starts, as "KEY=value" strings: what its handlers need to know, an
	// address for example. Run does not use it.
	Env []string
}

// check rejects a worker that cannot be started, before anything starts.
func (w Worker) check() error {
	if err := jobstore.CheckName("worker", w.Name); err != nil {
		return err
	}
	if err := jobstore.CheckName("queue", w.Queue); err != nil {
		return err
	}
	if w.Addr == "" {
		return errNoAddr
	}
	return nil
}

// Run runs the worker in this process until ctx is done. A job whose
// function has no handler, whose handler fails or panics, or whose result
// cannot be encoded, fails with an error that says so. A job the worker
// holds when ctx is done goes back to the queue. Run returns nil when ctx
// is done, and an error for bad input, for a name that a live worker of
// the queue has, or when the server fails.
func (w Worker) Run(ctx context.Context) error {
	if err := w.check(); err != nil {
		return err
	}
	if len(w.Handlers) == 0 {
		return fmt.Errorf("jobs: worker %s has no handlers: give it at least one function", w.Name)
	}
	if ctx.Err() != nil {
		return nil // stopped before it started
	}
	q, err := Open(ctx, w.Addr, w.Queue, w.Options)
	if err != nil {
		return err
	}
	defer q.Close()
	q.who = w.Name + ": "
	return (&runner{Worker: w, q: q}).serve(ctx)
}

// Environment variables that tell a worker process what to do; Start
// sets them.
const (
	AddrEnv   = "COURSE_JOBS_ADDR"   // the Redis server's address, password included
	QueueEnv  = "COURSE_JOBS_QUEUE"  // the queue's name
	WorkerEnv = "COURSE_JOBS_WORKER" // the worker's name
)

// Role is the name under which a program registers Main with proc.Serve,
// and the function that Start starts.
const Role = "jobs worker"

// Main is what a worker process runs, for proc.Serve:
//
//	machine := jobs.Worker{Handlers: handlers, Options: opts}
//	proc.Serve(map[string]proc.ChildFunc{jobs.Role: machine.Main})
//
// It runs Run with the Addr, Queue and Name in the environment that Start
// set (AddrEnv, QueueEnv, WorkerEnv), until the process is killed or gets
// SIGTERM or SIGINT. Its spans go to tl when w.Timeline is nil. A worker
// that cannot work exits with status 1 and says why on standard error.
func (w Worker) Main(tl *timing.Timeline) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	w.Addr, w.Queue, w.Name = os.Getenv(AddrEnv), os.Getenv(QueueEnv), os.Getenv(WorkerEnv)
	if w.Timeline == nil {
		w.Timeline = tl
	}
	if err := w.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Start starts a worker process and returns it; it is killed when ctx is
// done. The process is this program started again (proc.StartWith), which
// must register Main under Role with proc.Serve: it runs the Worker
// registered there, with its Handlers and Options, on this Worker's Addr,
// Queue and Name, with Env added to its environment. Its output comes back
// with "[Name] " in front of each line; its spans go to tl (a new timeline
// when tl is nil).
func (w Worker) Start(ctx context.Context, tl *timing.Timeline) (*proc.Child, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	if tl == nil {
		tl = timing.NewTimeline()
	}
	env := append(slices.Clip(w.Env), AddrEnv+"="+w.Addr, QueueEnv+"="+w.Queue, WorkerEnv+"="+w.Name)
	return proc.StartWith(ctx, Role, tl, proc.StartOptions{Name: w.Name, Env: env})
}

// A runner is a running worker.
type runner struct {
	Worker
	q *Queue
}

func (w *runner) serve(ctx context.Context) error {
	q := w.q
	ok, err := q.s.Beat(ctx, w.Name, q.opts.Heartbeat, true)
	if err != nil {
		return fmt.Errorf("jobs: worker %s: %w", w.Name, err)
	}
	if !ok {
		return fmt.Errorf("jobs: a worker named %s is already running on queue %s (its heartbeat is alive): give this one another name", w.Name, q.s.Name)
	}
	// The name is ours: jobs left in its wip list are a dead predecessor's.
	notes, err := q.s.Requeue(ctx, w.Name, false)
	if err != nil {
		return err
	}
	q.note(notes)
	q.logf("ready (pid %d)", os.Getpid())

	// The heartbeat: refreshed every third of its TTL, with a recovery
	// round each time, for as long as the worker runs.
	beatCtx, stopBeat := context.WithCancel(ctx)
	var beats sync.WaitGroup
	beats.Go(func() {
		t := time.NewTicker(q.opts.Heartbeat / 3)
		defer t.Stop()
		for {
			select {
			case <-beatCtx.Done():
				return
			case <-t.C:
			}
			if _, err := q.s.Beat(beatCtx, w.Name, q.opts.Heartbeat, false); err != nil && beatCtx.Err() == nil {
				q.logf("heartbeat: %v", err)
			}
			if _, err := q.Recover(beatCtx); err != nil && beatCtx.Err() == nil {
				q.logf("%v", err)
			}
		}
	})

	err = w.loop(ctx)

	// Stop beating, then give back what the worker still holds.
	stopBeat()
	beats.Wait()
	if cerr := w.giveBack(); cerr != nil {
		if ctx.Err() == nil {
			err = errors.Join(err, cerr)
		} else { // the server may have stopped with the worker: a cell interrupted
			q.logf("could not give its jobs back (the others will recover them): %v", cerr)
		}
	}
	q.logf("stopped")
	return err
}

// giveBack deletes the worker's heartbeat and sends the jobs it holds
// back to the queue. It tries once, quickly, on one connection: when a
// cell is interrupted the server may be stopping too, and a go-redis
// client would try again and log each dial that fails. The other workers
// would recover the jobs anyway.
func (w *runner) giveBack() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rdb, err := quietredis.Dial(ctx, w.q.addr, quietredis.Options{Timeout: 200 * time.Millisecond, Once: true})
	if err != nil {
		return err
	}
	defer rdb.Close()
	notes, err := jobstore.Store{RDB: rdb, Name: w.q.s.Name}.Giveup(ctx, w.Name)
	w.q.note(notes)
	return err
}

// loop takes jobs until ctx is done.
func (w *runner) loop(ctx context.Context) error {
	q := w.q
	// Take waits at most block for a job, so that the loop sees ctx end soon.
	block := min(q.opts.Heartbeat/2, 250*time.Millisecond)
	for ctx.Err() == nil {
		id, err := q.s.Take(ctx, w.Name, block)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil && id == "" {
			continue // no job came
		}
		if err != nil {
			return fmt.Errorf("jobs: worker %s taking a job: %w", w.Name, err)
		}
		if err := w.runJob(ctx, id); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
	return nil
}

// runJob runs a job the worker has moved into its wip list.
func (w *runner) runJob(ctx context.Context, id string) error {
	q := w.q
	j, err := q.Job(ctx, id)
	if err != nil { // no such job: drop the stray ID
		q.logf("%v: dropped", err)
		return q.s.Drop(ctx, w.Name, id)
	}
	start := time.Now()
	mine, err := q.s.Begin(ctx, w.Name, id, start)
	if err != nil || !mine {
		return err
	}
	q.logf("job %s %s(%s) started, attempt %d", id, j.Func, j.Arg, j.Attempts+1)
	var tlStart time.Duration
	if q.opts.Timeline != nil {
		tlStart = q.opts.Timeline.Now()
	}

	result, jobErr := w.call(ctx, j)
	if ctx.Err() != nil {
		return nil // stopping: the job stays in the wip list and goes back to the queue
	}
	done := jobstore.Fields{State: jobstore.Finished, Result: result, Ended: jobstore.Now()}
	if jobErr != nil {
		done = jobstore.Fields{State: jobstore.Failed, Error: jobErr.Error(), Ended: jobstore.Now()}
	}
	mine, err = q.s.End(ctx, w.Name, id, done)
	if err != nil {
		return err
	}
	if !mine {
		q.logf("job %s was given to another worker while this one seemed dead: its result here is dropped", id)
		return nil
	}
	if q.opts.Timeline != nil {
		q.opts.Timeline.Add(timing.Span{Lane: w.Name, Task: "job " + id + " " + j.Func, Start: tlStart, End: q.opts.Timeline.Now()})
	}
	if jobErr != nil {
		q.logf("job %s failed after %.2fs: %v", id, time.Since(start).Seconds(), jobErr)
	} else {
		q.logf("job %s finished after %.2fs: %s", id, time.Since(start).Seconds(), result)
	}
	return nil
}

// call runs the job's handler and encodes its result.
func (w *runner) call(ctx context.Context, j Job) (result []byte, err error) {
	h, ok := w.Handlers[j.Func]
	if !ok {
		return nil, fmt.Errorf("worker %s has no function named %q (it has %s)", w.Name, j.Func, quote.Names(slices.Sorted(maps.Keys(w.Handlers))))
	}
	defer func() {
		if p := recover(); p != nil {
			result, err = nil, fmt.Errorf("%s panicked: %v", j.Func, p)
		}
	}()
	r, err := h(ctx, j.Arg)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("the result of %s cannot be encoded as JSON: %w", j.Func, err)
	}
	return b, nil
}
