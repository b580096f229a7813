// Package jobs is a small reliable job queue on Redis, in the manner of
// Python's RQ: a client enqueues calls of named functions with a JSON
// argument, worker processes (standing for machines) run them, and the
// client waits for their results. A worker that dies while it holds a job
// does not lose it: the job goes back to the queue and another worker
// runs it; its result is recorded once.
//
// It keeps everything in Redis, under keys that start with
// "jobs:QUEUE:", where a lesson can look at them with redis-cli:
//
//	jobs:Q:job:ID        a hash per job: function, argument, state, result, ...
//	jobs:Q:queue         the IDs waiting to run (LPUSH in, taken from the right)
//	jobs:Q:wip:WORKER    the IDs a worker holds ("work in progress")
//	jobs:Q:alive:WORKER  the worker's heartbeat: a key with a short TTL
//	jobs:Q:done          the IDs whose result is recorded, newest first
//	jobs:Q:ids           every ID, in the order they were enqueued
//	jobs:Q:seq           the last ID given out
//
// A job's ID is always in exactly one list, and each step that moves it
// is atomic (package internal/jobstore says how).
//
// A Worker runs in this process (Worker.Run) or in a worker process that
// stands for a machine (Worker.Start). A worker process is this program
// started again (package proc), told the server's address, the queue's
// name and its own name through environment variables (AddrEnv, QueueEnv,
// WorkerEnv) that Start sets: the environment, which only the machine's
// user can read, and not the command line, which every user can, keeps
// the password in the address from other users. A cell registers the worker's Main first
// thing, then starts the server, the workers and the client:
//
//	machine := jobs.Worker{Handlers: handlers, Options: jobs.Options{Log: os.Stdout}}
//	proc.Serve(map[string]proc.ChildFunc{jobs.Role: machine.Main})
//	srv, err := redisd.Start(ctx, redisd.Options{})
//	w1, err := jobs.Worker{Addr: srv.Addr(), Queue: "default", Name: "w1"}.Start(ctx, tl)
//	q, err := jobs.Open(ctx, srv.Addr(), "default", jobs.Options{})
//	id, err := q.Enqueue(ctx, "count_words", "http://ep2016.europython.eu/en/")
//	done, err := q.Wait(ctx, id)
//
// It does not use asynq, which recovers a crashed worker's task only after
// a fixed 30-second lease (not configurable), too slow for a lesson.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/jobstore"
	"github.com/concurrency-kitchen/course/helpers/internal/quietredis"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// A State is how far a job has got.
type State string

// The states of a job.
const (
	StateQueued   State = jobstore.Queued   // waiting in the queue (again, after its worker died)
	StateStarted  State = jobstore.Started  // a worker is running it
	StateFinished State = jobstore.Finished // done; Result holds what the function returned
	StateFailed   State = jobstore.Failed   // done; Error says why it failed
)

// DefaultMaxAttempts is how many times a job may be started before a
// worker's death fails it instead of sending it back to the queue.
const DefaultMaxAttempts = 3

// A Job is a call of a named function, as stored in Redis.
type Job struct {
	ID          string
	Func        string
	Arg         json.RawMessage
	State       State
	Result      json.RawMessage // the function's result, as JSON, when finished
	Error       string          // why it failed, when failed
	Worker      string          // the worker running it or that ran it last
	Attempts    int             // how many times a worker started it
	MaxAttempts int             // the most starts before a lost job fails
	Lost        []string        // the workers that died (or stopped) while holding it
	Enqueued    time.Time
	Started     time.Time // when its last attempt started
	Ended       time.Time // when its result was recorded
}

// Done reports whether the job is finished or failed.
func (j Job) Done() bool { return j.State == StateFinished || j.State == StateFailed }

// Options configure a Queue and a Worker.
type Options struct {
	// Heartbeat is how long a worker's heartbeat lives without being
	// refreshed: a worker silent for that long is taken for dead, and its
	// jobs go back to the queue (default 2 time units). Workers refresh it
	// every third of that, and run Recover as often.
	Heartbeat time.Duration
	// MaxAttempts is how many times a job enqueued by this Queue may be
	// started (default DefaultMaxAttempts). Each job keeps its own limit.
	MaxAttempts int
	// Log, when set, gets a line for each step a worker takes, and for
	// each job recovered from a dead worker (by a worker or a Queue).
	Log io.Writer
	// Timeline, when set, gets a span for each job a worker runs, on the
	// worker's lane (Worker.Main uses the parent's timeline when it is nil).
	Timeline *timing.Timeline
}

func (o Options) withDefaults() (Options, error) {
	if o.Heartbeat == 0 {
		o.Heartbeat = timing.Units(2)
	}
	if o.Heartbeat < 50*time.Millisecond {
		return o, fmt.Errorf("jobs: a heartbeat of %v is too short: use 50ms or more", o.Heartbeat)
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.MaxAttempts < 0 {
		return o, fmt.Errorf("jobs: MaxAttempts is %d: use 1 or more (0 for the default, %d)", o.MaxAttempts, DefaultMaxAttempts)
	}
	return o, nil
}

// A Queue is a client of one named queue on one Redis server.
type Queue struct {
	addr string
	s    jobstore.Store // the queue's name and client
	opts Options
	who  string // what the log lines start with: a worker's name

	logMu sync.Mutex // one log line at a time
}

// Open connects to the queue named name on the Redis server at addr
// (host:port, or a URL with a password such as redisd.Server.Addr
// returns), and checks that the server answers. Its errors show addr with
// the password hidden.
func Open(ctx context.Context, addr, name string, opts Options) (*Queue, error) {
	if err := jobstore.CheckName("queue", name); err != nil {
		return nil, err
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if addr == "" {
		return nil, errNoAddr
	}
	// An unreachable server is one clear error, before go-redis retries and logs.
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rdb, err := quietredis.Dial(pctx, addr, quietredis.Options{})
	if err != nil {
		return nil, fmt.Errorf("jobs: cannot reach Redis at %s: %w", quietredis.Redact(addr), err)
	}
	return &Queue{addr: addr, s: jobstore.Store{RDB: rdb, Name: name}, opts: opts}, nil
}

var errNoAddr = errors.New("jobs: no Redis address (want host:port or a redis:// or unix:// URL)")

// Name returns the queue's name.
func (q *Queue) Name() string { return q.s.Name }

// Close closes the queue's connections. Jobs stay in Redis.
func (q *Queue) Close() error { return q.s.RDB.Close() }

// Enqueue adds a call of the function named fn with arg (encoded as JSON)
// to the queue and returns the job's ID.
func (q *Queue) Enqueue(ctx context.Context, fn string, arg any) (string, error) {
	if fn == "" {
		return "", errors.New("jobs: Enqueue: the function name is empty")
	}
	a, err := json.Marshal(arg)
	if err != nil {
		return "", fmt.Errorf("jobs: the argument of %s cannot be encoded as JSON: %w", fn, err)
	}
	id, err := q.s.Add(ctx, jobstore.Fields{Func: fn, Arg: a, State: jobstore.Queued,
		MaxAttempts: q.opts.MaxAttempts, Enqueued: jobstore.Now()})
	if err != nil {
		return "", fmt.Errorf("jobs: Enqueue: %w", err)
	}
	return id, nil
}

// Job returns the job with the given ID.
func (q *Queue) Job(ctx context.Context, id string) (Job, error) {
	js, err := q.read(ctx, []string{id})
	if err != nil {
		return Job{}, err
	}
	return js[0], nil
}

// Jobs returns every job of the queue, in the order they were enqueued:
// what a lesson shows as a table (see Table).
func (q *Queue) Jobs(ctx context.Context) ([]Job, error) {
	ids, err := q.s.RDB.LRange(ctx, q.s.IDsKey(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return q.read(ctx, ids)
}

// read reads jobs in one round trip; an ID with no job is an error.
func (q *Queue) read(ctx context.Context, ids []string) ([]Job, error) {
	hs, err := q.s.Read(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Job, len(ids))
	for i, h := range hs {
		out[i] = job(ids[i], h)
	}
	return out, nil
}

// Wait waits until every job in ids is finished or failed, and returns
// them in the order of ids. While it waits it runs Recover every third of
// the heartbeat, so that jobs held by a dead worker go back to the queue
// even when no other worker is there to notice. When ctx is done it
// returns the jobs as they were last seen, with ctx's error.
func (q *Queue) Wait(ctx context.Context, ids ...string) ([]Job, error) {
	pause := time.Millisecond
	var recovered time.Time
	var last []Job
	for {
		if time.Since(recovered) >= q.opts.Heartbeat/3 {
			if _, err := q.Recover(ctx); err != nil && ctx.Err() == nil {
				return last, err
			}
			recovered = time.Now()
		}
		js, err := q.read(ctx, ids)
		if err != nil {
			if ctx.Err() != nil {
				return last, fmt.Errorf("jobs: Wait: %w", ctx.Err())
			}
			return last, err
		}
		last = js
		if !slices.ContainsFunc(js, func(j Job) bool { return !j.Done() }) {
			return js, nil
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return last, fmt.Errorf("jobs: Wait: %w", ctx.Err())
		case <-t.C:
		}
		pause = min(2*pause, 20*time.Millisecond)
	}
}

// Alive returns the names of the workers whose heartbeat is alive, sorted.
func (q *Queue) Alive(ctx context.Context) ([]string, error) {
	return q.s.Workers(ctx, q.s.AliveKey(""))
}

// Recover finds the workers that hold jobs but whose heartbeat has run
// out, and sends their jobs back to the queue (to its front: they run
// next), or fails a job that has been started MaxAttempts times already.
// It returns how many jobs it moved. Workers and Wait run it on their own;
// it is safe to run from many processes at once: each dead worker's jobs
// are moved once.
func (q *Queue) Recover(ctx context.Context) (int, error) {
	workers, err := q.s.Workers(ctx, q.s.WipKey(""))
	if err != nil {
		return 0, err
	}
	total := 0
	for _, w := range workers {
		notes, err := q.s.Requeue(ctx, w, true)
		if err != nil {
			return total, err
		}
		q.note(notes)
		total += len(notes)
	}
	return total, nil
}

// note logs each line.
func (q *Queue) note(lines []string) {
	for _, l := range lines {
		q.logf("%s", l)
	}
}

func (q *Queue) logf(format string, args ...any) {
	if q.opts.Log != nil {
		q.logMu.Lock()
		defer q.logMu.Unlock()
		fmt.Fprintf(q.opts.Log, q.who+format+"\n", args...)
	}
}

// Table formats jobs as a text table: ID, function, argument, state,
// result or error, worker, attempts and the workers that lost the job
// ("-" where there is nothing to show).
func Table(jobs []Job) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tFUNC\tARG\tSTATE\tRESULT\tWORKER\tATTEMPTS\tLOST")
	for _, j := range jobs {
		res := string(j.Result)
		if j.State == StateFailed {
			res = "error: " + j.Error
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n",
			j.ID, j.Func, j.Arg, j.State, dash(res), dash(j.Worker), j.Attempts, dash(strings.Join(j.Lost, ",")))
	}
	w.Flush()
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
