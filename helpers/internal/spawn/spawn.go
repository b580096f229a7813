// Package spawn starts this program again as a child process: the
// machinery under package proc's children and package procpool's
// workers.
//
// A child is told what to run by RoleEnv. It never reads the parent's
// standard input, its output comes back line by line with its lane's name
// in front, it does not inherit GoNB's display pipes, and on Linux it dies
// with the thread that started it (see package proc).
package spawn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/lastlines"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// Environment variables set for every child. Every variable whose name
// starts with EnvPrefix is the parent's business and is not inherited.
const (
	EnvPrefix  = "COURSE_PROC_"
	RoleEnv    = EnvPrefix + "ROLE"    // what the child runs
	SpawnedEnv = EnvPrefix + "SPAWNED" // when the parent started it, in Unix nanoseconds
)

// waitDelay bounds how long Wait waits for the output of a child that has
// exited (a grandchild may hold its pipes) and, for a child with a Stop,
// how long it has to end once asked.
const waitDelay = time.Second

// Options say how to start a child.
type Options struct {
	Role  string     // what the child runs: the value of RoleEnv
	Lane  string     // names the child in its output and its errors
	Files []*os.File // the child's descriptors 3, 4, ...
	Env   []string   // added to the environment, as "KEY=value"
	// Stop, when set, is what a done context does first: ask the child
	// to end, by closing a pipe it reads, say. The child is killed if it
	// has not exited a second later. By default it is killed at once.
	Stop func() error
}

// A Process is a running child.
type Process struct {
	Lane string
	PID  int

	cmd     *exec.Cmd
	stderr  *lastlines.Writer
	once    sync.Once
	waitErr error
}

// Start starts this program again as a child; it is killed when ctx is
// done.
func Start(ctx context.Context, opts Options) (*Process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find this program to start it again: %w", err)
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(CleanEnv(os.Environ()), opts.Env...)
	cmd.Env = append(cmd.Env,
		RoleEnv+"="+opts.Role,
		SpawnedEnv+"="+strconv.FormatInt(time.Now().UnixNano(), 10))
	cmd.ExtraFiles = opts.Files
	cmd.Stdin = nil // /dev/null: a child never reads the kernel's input
	p := &Process{Lane: opts.Lane, cmd: cmd, stderr: &lastlines.Writer{Max: 20}}
	prefix := "[" + opts.Lane + "] "
	cmd.Stdout = &prefixWriter{prefix: prefix, w: os.Stdout}
	cmd.Stderr = io.MultiWriter(&prefixWriter{prefix: prefix, w: os.Stderr}, p.stderr)
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = waitDelay
	if opts.Stop != nil {
		cmd.Cancel = opts.Stop
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting child %q: %w", opts.Lane, err)
	}
	p.PID = cmd.Process.Pid
	return p, nil
}

// CleanEnv drops what a child must not inherit: GoNB's display pipes (a
// child writing to them would break the cell's display), the parent's
// own timeline connection, and every variable starting with EnvPrefix.
func CleanEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "GONB_PIPE", k == "GONB_PIPE_BACK", k == timing.OriginEnv, k == timing.FDEnv,
			strings.HasPrefix(k, EnvPrefix):
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Wait waits for the child to exit. The error names the child and its
// exit status, with the last lines of its standard error. Calling Wait
// again returns the same result.
func (p *Process) Wait() error {
	p.once.Do(func() {
		err := p.cmd.Wait()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			p.waitErr = fmt.Errorf("child %q (pid %d) failed: %v%s", p.Lane, p.PID, exit, p.stderr.Suffix("its last output"))
		case err != nil:
			p.waitErr = fmt.Errorf("child %q (pid %d): %w", p.Lane, p.PID, err)
		}
	})
	return p.waitErr
}

// Kill kills the child at once. A child that has already exited keeps its
// own exit status for Wait.
func (p *Process) Kill() { p.cmd.Process.Kill() }

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
