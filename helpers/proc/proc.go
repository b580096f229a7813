// Package proc runs a Go function in a child process, the Go twin of
// Python's multiprocessing.Process: the child is the same program, started
// again with an environment variable that names the function to run.
// Package procpool builds a pool of worker processes on the same idea.
//
// A program that uses it calls Serve first thing in main (in a notebook
// cell, first thing in the cell), with every function a child may run.
// In the parent Serve returns at once; in a child it runs the named
// function and exits.
//
// Children are the parent's alone: they never read its standard input,
// their output comes back line by line with their name in front, they do
// not inherit GoNB's display pipes, and they die with the parent, or when
// the context given to Start is done.
//
// "Die with the parent" is Linux's parent-death signal, which the kernel
// sends when the thread that started the child ends, not only the
// process: start children from goroutines that are not locked to their
// thread (runtime.LockOSThread) and then end, or they die early.
package proc

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/poolworker"
	"github.com/concurrency-kitchen/course/helpers/internal/quote"
	"github.com/concurrency-kitchen/course/helpers/internal/spawn"
	"github.com/concurrency-kitchen/course/helpers/load"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// Environment variables set for a child.
const (
	RoleEnv    = spawn.RoleEnv    // the name of the function to run
	SpawnedEnv = spawn.SpawnedEnv // when the parent started it, in Unix nanoseconds
)

// StartupTask is the task name of the span that covers a child's start-up:
// from the parent's request to the child's first line of Go code. A
// procpool.Pool names its workers' start-up spans the same way.
const StartupTask = "process start-up"

// Startup returns the longest process start-up recorded on tl (its spans
// named StartupTask), or 0 when there is none. Processes start side by
// side, so this is the fixed cost a run in processes adds to its work.
func Startup(tl *timing.Timeline) time.Duration {
	var longest time.Duration
	for _, s := range tl.Spans() {
		if s.Task == StartupTask {
			longest = max(longest, s.Duration())
		}
	}
	return longest
}

// Overhead is what starting processes adds to a run's model: the longest start-up recorded on
// tl (Startup) and, in a cgroup whose CPU quota is smaller than the machine (a Binder, `docker
// run --cpus 1`), one period of the quota (load.ThrottleDelay): processes that start or end
// together burst past the quota, and the kernel then stops the whole cgroup until the next
// period. Measured in a one-CPU cgroup at a 100 ms unit: four sleeping processes took 4.49
// units where their start-up alone allowed 4.40.
func Overhead(tl *timing.Timeline) time.Duration {
	return Startup(tl) + load.ThrottleDelay()
}

// A ChildFunc is what a child process runs. Its spans, recorded on tl,
// appear on the parent's timeline.
type ChildFunc func(tl *timing.Timeline)

// Serve runs the child's function and exits when this process is a child
// started by Start; in any other process it returns at once. funcs maps
// names to functions. A child whose name is not in funcs exits with
// status 3 and says so on standard error.
//
// Serve also runs the worker processes of a procpool.Pool, which serve the
// tasks defined with procpool.Define; funcs may then be nil.
func Serve(funcs map[string]ChildFunc) {
	role, ok := os.LookupEnv(RoleEnv)
	if !ok {
		return
	}
	if role == poolworker.Role {
		os.Exit(poolworker.Main())
	}
	os.Exit(serveChild(role, funcs))
}

func serveChild(role string, funcs map[string]ChildFunc) int {
	f, ok := funcs[role]
	if !ok {
		have := quote.Names(slices.Sorted(maps.Keys(funcs)))
		fmt.Fprintf(os.Stderr, "proc: no function named %q in this program (have %s)\n", role, have)
		return 3
	}
	tl, _ := timing.FromParent()
	if ns, err := strconv.ParseInt(os.Getenv(SpawnedEnv), 10, 64); err == nil {
		spawned := time.Unix(0, ns).Sub(tl.Origin())
		lane := role
		if name := os.Getenv(laneEnv); name != "" {
			lane = name
		}
		tl.Add(timing.Span{Lane: lane, Task: StartupTask, Start: spawned, End: tl.Now()})
	}
	f(tl)
	if err := tl.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "proc: reporting spans to the parent: %v\n", err)
		return 4
	}
	return 0
}

// A Child is a running child process.
type Child struct {
	Name string // the function it runs
	PID  int

	p       *spawn.Process
	spans   chan error // the result of collecting spans, once
	waitErr error
	once    sync.Once
}

// Start runs the function registered under name in a new child process:
// the current executable, started again. The child's spans are added to
// tl, its output is printed with "[name] " in front of each line. The
// child is killed when ctx is done.
func Start(ctx context.Context, name string, tl *timing.Timeline) (*Child, error) {
	return StartWith(ctx, name, tl, StartOptions{})
}

// StartOptions are what a child started by StartWith gets besides its
// function's name.
type StartOptions struct {
	// Name names the child's lane and the prefix of its output; the
	// default is the function's name. Workers that run the same function
	// are told apart by it: "worker 1", "worker 2".
	Name string
	// Files are given to the child, which gets them with File(0),
	// File(1), ...: the ends of pipes, for example, that the parent and
	// its children share. The parent may close its copies once the child
	// has started.
	Files []*os.File
	// Env is added to the child's environment, as "KEY=value" strings:
	// a worker's number, an address to connect to.
	Env []string
}

// Environment variables of a child started by StartWith: how many files
// StartOptions gave it, and the name of its lane.
const (
	filesEnv = spawn.EnvPrefix + "FILES"
	laneEnv  = spawn.EnvPrefix + "LANE"
)

// firstFile is the descriptor of File(0): 3 carries the child's spans.
const firstFile = 4

// StartWith is Start with files and environment variables for the child.
func StartWith(ctx context.Context, name string, tl *timing.Timeline, opts StartOptions) (*Child, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("proc: %w", err)
	}
	defer w.Close()
	env := append(tl.ChildEnv(3), opts.Env...)
	env = append(env, filesEnv+"="+strconv.Itoa(len(opts.Files)), laneEnv+"="+opts.Name)
	lane := name
	if opts.Name != "" {
		lane = opts.Name
	}
	p, err := spawn.Start(ctx, spawn.Options{Role: name, Lane: lane, Files: append([]*os.File{w}, opts.Files...), Env: env})
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("proc: %w", err)
	}
	c := &Child{Name: lane, PID: p.PID, p: p, spans: make(chan error, 1)}
	go func() {
		defer r.Close()
		c.spans <- tl.Collect(r)
	}()
	return c, nil
}

// File returns the i-th of the files that the parent gave this child
// with StartOptions.Files, or nil when it gave fewer.
func File(i int) *os.File {
	n, err := strconv.Atoi(os.Getenv(filesEnv))
	if err != nil || i < 0 || i >= n {
		return nil
	}
	return os.NewFile(uintptr(firstFile+i), fmt.Sprintf("proc.File(%d)", i))
}

// Wait waits for the child to exit and for its spans to arrive. The error
// names the child and its exit status, with the last lines of its
// standard error. Calling Wait again returns the same result.
func (c *Child) Wait() error {
	c.once.Do(func() {
		err := c.p.Wait()
		c.waitErr = errors.Join(err, <-c.spans)
	})
	return c.waitErr
}
