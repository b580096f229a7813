package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/quote"
	"github.com/concurrency-kitchen/course/helpers/proc"
	"github.com/concurrency-kitchen/course/helpers/timing"
	"github.com/redis/go-redis/v9"
)

// A Handler runs one job: it gets the job's argument as JSON and returns
// a result that can be encoded as JSON, or an error that fails the job.
// ctx is cancelled when the worker stops.
type Handler func(ctx context.Context, arg json.RawMessage) (any, error)

// Work runs a worker named worker on the queue named queue of the Redis
// server at addr, until ctx is done: it takes jobs one at a time and runs
// them with the handler registered under their function name. A job whose
// function has no handler, whose handler fails or panics, or whose result
// cannot be encoded, fails with an error that says so.
//
// Two live workers of a queue cannot have the same name. A job the worker
// holds when ctx is done goes back to the queue. Work returns nil when ctx
// is done, and an error for bad input or when the server fails.
func Work(ctx context.Context, addr, queue, worker string, handlers map[string]Handler, opts Options) error {
	if err := checkName("worker", worker); err != nil {
		return err
	}
	if len(handlers) == 0 {
		return fmt.Errorf("jobs: worker %s has no handlers: give it at least one function", worker)
	}
	if ctx.Err() != nil {
		return nil // stopped before it started
	}
	q, err := Open(ctx, addr, queue, opts)
	if err != nil {
		return err
	}
	defer q.Close()
	q.who = worker + ": "
	w := &runner{q: q, name: worker, handlers: handlers, wip: q.key("wip:" + worker), alive: q.key("alive:" + worker)}
	return w.run(ctx)
}

// A runner is a running worker.
type runner struct {
	q        *Queue
	name     string
	handlers map[string]Handler
	wip      string // the key of its list of jobs in progress
	alive    string // the key of its heartbeat
}

func (w *runner) beat(ctx context.Context, nx bool) (bool, error) {
	value := "pid " + strconv.Itoa(os.Getpid())
	if nx {
		return w.q.rdb.SetNX(ctx, w.alive, value, w.q.opts.Heartbeat).Result()
	}
	return true, w.q.rdb.Set(ctx, w.alive, value, w.q.opts.Heartbeat).Err()
}

func (w *runner) run(ctx context.Context) error {
	q := w.q
	ok, err := w.beat(ctx, true)
	if err != nil {
		return fmt.Errorf("jobs: worker %s: %w", w.name, err)
	}
	if !ok {
		return fmt.Errorf("jobs: a worker named %s is already running on queue %s (its heartbeat is alive): give this one another name", w.name, q.name)
	}
	// The name is ours: jobs left in its wip list are a dead predecessor's.
	if _, err := q.requeue(ctx, w.name, false); err != nil {
		return err
	}
	w.q.logf("ready (pid %d)", os.Getpid())

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
			if _, err := w.beat(beatCtx, false); err != nil && beatCtx.Err() == nil {
				w.q.logf("heartbeat: %v", err)
			}
			if _, err := q.Recover(beatCtx); err != nil && beatCtx.Err() == nil {
				w.q.logf("%v", err)
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
// back to the queue. It tries once, quickly: when a cell is interrupted
// the server may be stopping too, and the go-redis client logs every dial
// that fails. The other workers would recover the jobs anyway.
func (w *runner) giveBack() error {
	c, err := net.DialTimeout("tcp", w.q.addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	first := make(chan net.Conn, 1)
	first <- c
	rdb := newClient(w.q.addr, -1, func(context.Context, string, string) (net.Conn, error) {
		select {
		case c := <-first: // the connection just made: no second dial
			return c, nil
		default:
			return nil, errors.New("the connection broke")
		}
	})
	once := &Queue{addr: w.q.addr, name: w.q.name, opts: w.q.opts, who: w.q.who, rdb: rdb}
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := once.rdb.Del(ctx, w.alive).Err(); err != nil {
		return err
	}
	_, err = once.requeue(ctx, w.name, false)
	return err
}

// loop takes jobs until ctx is done.
func (w *runner) loop(ctx context.Context) error {
	q := w.q
	// BLMOVE waits at most block for a job, so that the loop sees ctx end
	// soon. (go-redis's BLMove rounds timeouts to whole seconds: Do does not.)
	block := strconv.FormatFloat(min(q.opts.Heartbeat/2, 250*time.Millisecond).Seconds(), 'f', 3, 64)
	for ctx.Err() == nil {
		id, err := q.rdb.Do(ctx, "BLMOVE", q.key("queue"), w.wip, "RIGHT", "LEFT", block).Text()
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, redis.Nil) {
			continue // no job came
		}
		if err != nil {
			return fmt.Errorf("jobs: worker %s taking a job: %w", w.name, err)
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
		w.q.logf("%v: dropped", err)
		return q.rdb.LRem(ctx, w.wip, 1, id).Err()
	}
	start := time.Now()
	mine, err := w.ifMine(ctx, id, func(p redis.Pipeliner) {
		p.HSet(ctx, q.jobKey(id), "state", Started, "worker", w.name, "started", stamp(start), "ended", "")
		p.HIncrBy(ctx, q.jobKey(id), "attempts", 1)
	})
	if err != nil || !mine {
		return err
	}
	w.q.logf("job %s %s(%s) started, attempt %d", id, j.Func, j.Arg, j.Attempts+1)
	var tlStart time.Duration
	if q.opts.Timeline != nil {
		tlStart = q.opts.Timeline.Now()
	}

	result, jobErr := w.call(ctx, j)
	if ctx.Err() != nil {
		return nil // stopping: the job stays in the wip list and goes back to the queue
	}
	fields := []any{"state", Finished, "result", string(result), "error", "", "ended", stamp(time.Now())}
	if jobErr != nil {
		fields = []any{"state", Failed, "result", "", "error", jobErr.Error(), "ended", stamp(time.Now())}
	}
	mine, err = w.ifMine(ctx, id, func(p redis.Pipeliner) {
		p.HSet(ctx, q.jobKey(id), fields...)
		p.LRem(ctx, w.wip, 1, id)
		p.LPush(ctx, q.key("done"), id)
	})
	if err != nil {
		return err
	}
	if !mine {
		w.q.logf("job %s was given to another worker while this one seemed dead: its result here is dropped", id)
		return nil
	}
	if q.opts.Timeline != nil {
		q.opts.Timeline.Add(timing.Span{Lane: w.name, Task: "job " + id + " " + j.Func, Start: tlStart, End: q.opts.Timeline.Now()})
	}
	if jobErr != nil {
		w.q.logf("job %s failed after %.2fs: %v", id, time.Since(start).Seconds(), jobErr)
	} else {
		w.q.logf("job %s finished after %.2fs: %s", id, time.Since(start).Seconds(), result)
	}
	return nil
}

// call runs the job's handler and encodes its result.
func (w *runner) call(ctx context.Context, j Job) (result []byte, err error) {
	h, ok := w.handlers[j.Func]
	if !ok {
		return nil, fmt.Errorf("worker %s has no function named %q (it has %s)", w.name, j.Func, quote.Names(slices.Sorted(maps.Keys(w.handlers))))
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

// ifMine runs fn in a MULTI/EXEC transaction if the job id is still in the
// worker's wip list, and reports whether it did. WATCH makes the check and
// the transaction one step: if a recovery moves the job away in between,
// the transaction is dropped and the check runs again.
func (w *runner) ifMine(ctx context.Context, id string, fn func(redis.Pipeliner)) (bool, error) {
	for {
		mine := false
		err := w.q.rdb.Watch(ctx, func(tx *redis.Tx) error {
			if err := tx.LPos(ctx, w.wip, id, redis.LPosArgs{}).Err(); err != nil {
				if errors.Is(err, redis.Nil) {
					return nil // not ours any more
				}
				return err
			}
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error { fn(p); return nil })
			mine = err == nil
			return err
		}, w.wip)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("jobs: worker %s, job %s: %w", w.name, id, err)
		}
		return mine, nil
	}
}

// Environment variables that tell a worker process what to do; StartWorker
// sets them.
const (
	AddrEnv   = "COURSE_JOBS_ADDR"   // the Redis server's host:port
	QueueEnv  = "COURSE_JOBS_QUEUE"  // the queue's name
	WorkerEnv = "COURSE_JOBS_WORKER" // the worker's name
)

// WorkerFunc is the name under which a program registers Worker with
// proc.Serve, and that StartWorker starts.
const WorkerFunc = "jobs worker"

// Worker returns what a worker process runs, for proc.Serve:
//
//	proc.Serve(map[string]proc.ChildFunc{jobs.WorkerFunc: jobs.Worker(handlers, opts)})
//
// It runs Work with the address, queue and worker name in the environment
// (AddrEnv, QueueEnv, WorkerEnv: StartWorker sets them), until the process
// is killed or gets SIGTERM or SIGINT. Its spans go to the parent's
// timeline when opts.Timeline is nil. A worker that cannot work exits with
// status 1 and says why on standard error.
func Worker(handlers map[string]Handler, opts Options) proc.ChildFunc {
	return func(tl *timing.Timeline) {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
		if opts.Timeline == nil {
			opts.Timeline = tl
		}
		err := Work(ctx, os.Getenv(AddrEnv), os.Getenv(QueueEnv), os.Getenv(WorkerEnv), handlers, opts)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// StartWorker starts a worker process named name on the queue named queue
// of the Redis server at addr, and returns it; it is killed when ctx is
// done. The process is this program started again (proc.Start), which
// must register Worker under WorkerFunc with proc.Serve. The child gets
// the address, the queue and its name in AddrEnv, QueueEnv and WorkerEnv.
// Its output comes back with "[name] " in front of each line; its spans go
// to tl (a new timeline when tl is nil).
func StartWorker(ctx context.Context, name, addr, queue string, tl *timing.Timeline) (*proc.Child, error) {
	if err := checkName("worker", name); err != nil {
		return nil, err
	}
	if err := checkName("queue", queue); err != nil {
		return nil, err
	}
	if addr == "" {
		return nil, errors.New("jobs: no Redis address (want host:port)")
	}
	if tl == nil {
		tl = timing.NewTimeline()
	}
	return proc.StartWith(ctx, WorkerFunc, tl, proc.StartOptions{
		Name: name,
		Env:  []string{AddrEnv + "=" + addr, QueueEnv + "=" + queue, WorkerEnv + "=" + name},
	})
}
