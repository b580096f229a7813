// Package proc runs a Go function in a child process, the Go twin of
// Python's multiprocessing.Process: the child is the same program, started
// again with an environment variable that names the function to run.
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
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/lastlines"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// Environment variables set for a child.
const (
	RoleEnv    = "COURSE_PROC_ROLE"    // the name of the function to run
	SpawnedEnv = "COURSE_PROC_SPAWNED" // when the parent started it, in Unix nanoseconds
)

// StartupTask is the task name of the span that covers a child's start-up:
// from the parent's request to the child's first line of Go code.
const StartupTask = "process start-up"

// A Func is what a child process runs. Its spans, recorded on tl, appear
// on the parent's timeline.
type Func func(tl *timing.Timeline)

// Serve runs the child's function and exits when this process is a child
// started by Start; in any other process it returns at once. funcs maps
// names to functions. A child whose name is not in funcs exits with
// status 3 and says so on standard error.
//
// Serve also runs the worker processes of a Pool, which serve the
// functions registered with Define; funcs may then be nil.
func Serve(funcs map[string]Func) {
	role, ok := os.LookupEnv(RoleEnv)
	if !ok {
		return
	}
	if role == workerRole {
		os.Exit(serveWorker(Default))
	}
	os.Exit(serveChild(role, funcs))
}

func serveChild(role string, funcs map[string]Func) int {
	f, ok := funcs[role]
	if !ok {
		fmt.Fprintf(os.Stderr, "proc: no function named %q in this program (have %s)\n", role, names(funcs))
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

func names(funcs map[string]Func) string {
	return quoteNames(slices.Sorted(maps.Keys(funcs)))
}

// A Child is a running child process.
type Child struct {
	Name string // the function it runs
	PID  int

	cmd      *exec.Cmd
	stderr   *lastlines.Writer
	spans    chan error // the result of collecting spans, once
	collects bool       // spans are being collected from the child
	waitErr  error
	once     sync.Once
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
	filesEnv = "COURSE_PROC_FILES"
	laneEnv  = "COURSE_PROC_LANE"
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
	c, err := startCmd(ctx, name, lane, append([]*os.File{w}, opts.Files...), env)
	if err != nil {
		r.Close()
		return nil, err
	}
	c.collects = true
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

// startCmd starts this program again as a child with the given role,
// output prefixed with the lane's name, the extra files as descriptors 3,
// 4, ... and the extra environment.
func startCmd(ctx context.Context, role, lane string, files []*os.File, env []string) (*Child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("proc: cannot find this program to start it again: %w", err)
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(childEnv(os.Environ()), env...)
	cmd.Env = append(cmd.Env,
		RoleEnv+"="+role,
		SpawnedEnv+"="+strconv.FormatInt(time.Now().UnixNano(), 10))
	cmd.ExtraFiles = files
	cmd.Stdin = nil // /dev/null: a child never reads the kernel's input
	c := &Child{Name: lane, cmd: cmd, stderr: &lastlines.Writer{Max: 20}, spans: make(chan error, 1)}
	cmd.Stdout = &prefixWriter{prefix: "[" + lane + "] ", w: os.Stdout}
	cmd.Stderr = io.MultiWriter(&prefixWriter{prefix: "[" + lane + "] ", w: os.Stderr}, c.stderr)
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("proc: starting child %q: %w", lane, err)
	}
	c.PID = cmd.Process.Pid
	return c, nil
}

// childEnv drops what a child must not inherit: GoNB's display pipes
// (a child writing to them would break the cell's display) and a role
// this process was itself given.
func childEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GONB_PIPE", "GONB_PIPE_BACK", RoleEnv, SpawnedEnv, maxMessageEnv, filesEnv, laneEnv, timing.OriginEnv, timing.FDEnv:
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Wait waits for the child to exit and for its spans to arrive. The error
// names the child and its exit status, with the last lines of its
// standard error. Calling Wait again returns the same result.
func (c *Child) Wait() error {
	c.once.Do(func() {
		err := c.cmd.Wait()
		var spanErr error
		if c.collects {
			spanErr = <-c.spans
		}
		if err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				err = fmt.Errorf("child %q (pid %d) failed: %v%s", c.Name, c.PID, exit, c.stderr.Suffix("its last output"))
			} else {
				err = fmt.Errorf("child %q (pid %d): %w", c.Name, c.PID, err)
			}
		}
		c.waitErr = errors.Join(err, spanErr)
	})
	return c.waitErr
}

// prefixWriter writes each line it is given with a prefix in front.
type prefixWriter struct {
	prefix string
	w      io.Writer
	mu     sync.Mutex
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		if _, err := fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.buf[:i]); err != nil {
			return len(b), err
		}
		p.buf = p.buf[i+1:]
	}
	return len(b), nil
}
