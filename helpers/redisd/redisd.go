// Package redisd starts a Redis server for one notebook cell: the real
// redis-server when the machine has one, or an embedded in-process server
// (miniredis) when it has not, so that the job-queue lesson runs anywhere.
//
// The server listens on a free port of 127.0.0.1, keeps nothing on disk,
// and is gone when the cell ends: Close stops it, cancelling the context
// given to Start kills it, and a real redis-server is the cell's child with
// a parent-death signal, so it dies with the cell even if the cell is
// killed. Kind says in words which server a lesson got.
package redisd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/concurrency-kitchen/course/helpers/internal/lastlines"
	"github.com/concurrency-kitchen/course/helpers/internal/quietredis"
)

// ServerEnv names an environment variable that, when set, is the path of
// the redis-server binary to run instead of the one on PATH. A path where
// no binary exists makes Start fall back to the embedded server.
const ServerEnv = "COURSE_REDIS_SERVER"

// DefaultStartTimeout bounds how long Start waits for a real redis-server
// to answer PING.
const DefaultStartTimeout = 10 * time.Second

// stopGrace is how long Close lets redis-server exit after SIGTERM before
// it sends SIGKILL.
const stopGrace = 2 * time.Second

// Options configure Start.
type Options struct {
	// Embedded asks for the embedded server even where redis-server exists.
	Embedded bool
	// StartTimeout bounds the wait for a real redis-server to answer PING
	// (default DefaultStartTimeout).
	StartTimeout time.Duration
}

// A Server is a running Redis server, real or embedded.
type Server struct {
	addr string
	kind string

	// A real redis-server.
	cmd    *exec.Cmd
	dir    string
	log    *lastlines.Writer
	exited chan struct{} // closed when the process has exited and been reaped
	exit   error         // its exit status, once exited is closed

	// An embedded miniredis, and the goroutine that makes its TTLs run out.
	mini     *miniredis.Miniredis
	tickStop chan struct{}
	tickDone chan struct{}

	stopCtx  func() bool // stops the watch on Start's context
	once     sync.Once
	closeErr error
}

// Start starts a Redis server on a free port of 127.0.0.1. It runs
// redis-server (the path in COURSE_REDIS_SERVER, else the one on PATH) with
// persistence off, no configuration file and a temporary directory of its
// own; where there is no such binary, or when opts.Embedded is set, it
// starts an embedded miniredis instead. The server is killed when ctx is
// done; Close stops it sooner.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = DefaultStartTimeout
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("redisd: %w", err)
	}
	if opts.Embedded {
		return startEmbedded(ctx, "asked for")
	}
	bin, err := Find()
	if err != nil {
		return startEmbedded(ctx, err.Error())
	}
	for range 5 { // another program may take the free port first: try another
		var port int
		if port, err = freePort(); err != nil {
			return nil, err
		}
		var s *Server
		s, err = startReal(ctx, bin, port, opts.StartTimeout)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errPortTaken) {
			return nil, err
		}
	}
	return nil, err
}

// Find returns the path of the redis-server that Start runs: the one in
// COURSE_REDIS_SERVER, else the one on PATH. Its error says why there is
// none, in words Kind uses for the embedded server.
func Find() (string, error) {
	if p := os.Getenv(ServerEnv); p != "" {
		if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s=%s is not an executable file", ServerEnv, p)
		}
		return p, nil
	}
	p, err := exec.LookPath("redis-server")
	if err != nil {
		return "", errors.New("no redis-server found")
	}
	return p, nil
}

// Addr returns the server's host:port, for a client to dial.
func (s *Server) Addr() string { return s.addr }

// Kind says which server this is, for a learner to read: "redis-server
// 7.0.15 on 127.0.0.1:6379" or "embedded miniredis (no redis-server found)
// on 127.0.0.1:6379".
func (s *Server) Kind() string { return s.kind }

// String returns Kind, so that fmt.Println(server) reads well.
func (s *Server) String() string { return s.kind }

// Embedded reports whether the server is the embedded miniredis.
func (s *Server) Embedded() bool { return s.mini != nil }

// PID returns the process id of a real redis-server, or 0 for the
// embedded server, which runs inside this process.
func (s *Server) PID() int {
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Close stops the server and waits until it is gone: redis-server gets
// SIGTERM, then SIGKILL if it has not exited after a short grace, and its
// directory is removed. Calling Close again returns the same result. The
// error reports a real server that had exited on its own before Close, or
// a directory that could not be removed.
func (s *Server) Close() error { return s.shutdown(false) }

func (s *Server) shutdown(kill bool) error {
	s.once.Do(func() {
		if s.stopCtx != nil {
			s.stopCtx()
		}
		if s.mini != nil {
			close(s.tickStop)
			<-s.tickDone
			s.mini.Close()
			return
		}
		var died error // the server exited before anyone asked it to
		select {
		case <-s.exited:
			died = fmt.Errorf("redisd: %s had exited on its own: %v%s", s.kind, s.exit, s.log.Suffix("its last log lines"))
		default:
			sig := syscall.SIGTERM
			if kill {
				sig = syscall.SIGKILL
			}
			signalGroup(s.cmd.Process.Pid, sig)
			select {
			case <-s.exited:
			case <-time.After(stopGrace):
				signalGroup(s.cmd.Process.Pid, syscall.SIGKILL)
				<-s.exited
			}
		}
		s.closeErr = errors.Join(died, os.RemoveAll(s.dir))
	})
	return s.closeErr
}

// signalGroup signals redis-server's process group (it has one of its own).
func signalGroup(pid int, sig syscall.Signal) {
	if err := syscall.Kill(-pid, sig); err != nil {
		syscall.Kill(pid, sig)
	}
}

// errPortTaken is a redis-server that could not listen on its port.
var errPortTaken = errors.New("port taken")

// startReal starts redis-server on port. Its error wraps errPortTaken when
// the port was not free.
func startReal(ctx context.Context, bin string, port int, timeout time.Duration) (*Server, error) {
	sweepStaleDirs()
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", dirPrefix, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("redisd: %w", err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--dir", dir, "--logfile", "")
	cmd.Dir = dir
	log := &lastlines.Writer{Max: 20}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("redisd: starting %s: %w", bin, err)
	}
	s := &Server{addr: addr, cmd: cmd, dir: dir, log: log, exited: make(chan struct{})}
	go func() {
		s.exit = cmd.Wait()
		close(s.exited)
	}()
	s.stopCtx = context.AfterFunc(ctx, func() { s.shutdown(true) })

	version, err := s.waitReady(ctx, timeout)
	if err != nil {
		s.shutdown(true)
		if strings.Contains(log.Suffix("its last log lines"), "Address already in use") {
			return nil, fmt.Errorf("%w: %v", errPortTaken, err)
		}
		return nil, err
	}
	s.kind = fmt.Sprintf("redis-server %s on %s", version, addr)
	return s, nil
}

// dirPrefix starts the names of the servers' directories, followed by
// the pid of the process that made them.
const dirPrefix = "course-redis-"

// sweepStaleDirs removes the directories of servers whose process died
// without Close (a cell killed by SIGKILL): Pdeathsig ends the server, but
// nobody is left to remove its (empty) directory.
func sweepStaleDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, d := range dirs {
		pidText, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), dirPrefix), "-")
		pid, err := strconv.Atoi(pidText)
		if err == nil && pid > 0 && errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			os.RemoveAll(d)
		}
	}
}

// waitReady waits until the server answers PING and returns its version.
func (s *Server) waitReady(ctx context.Context, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		select {
		case <-s.exited:
			return "", fmt.Errorf("redisd: %s exited before answering PING: %v%s", s.cmd.Path, s.exit, s.log.Suffix("its last log lines"))
		case <-ctx.Done():
			return "", fmt.Errorf("redisd: waiting for %s: %w", s.cmd.Path, ctx.Err())
		default:
		}
		if version, err := pingVersion(ctx, s.addr); err == nil {
			return version, nil
		} else {
			last = err
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("redisd: %s did not answer PING on %s within %v (last try: %v)%s",
				s.cmd.Path, s.addr, timeout, last, s.log.Suffix("its last log lines"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pingVersion sends PING and INFO server, and returns redis_version. It
// is quick to give up, and logs nothing: waitReady tries again, and looks
// in between whether the server has exited (another program may hold its
// port, and then takes the connection but never answers).
func pingVersion(ctx context.Context, addr string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 600*time.Millisecond)
	defer cancel()
	rdb, err := quietredis.Dial(ctx, addr, quietredis.Options{Timeout: 300 * time.Millisecond, Once: true})
	if err != nil {
		return "", err
	}
	defer rdb.Close()
	info, err := rdb.Info(ctx, "server").Result()
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
			return v, nil
		}
	}
	return "(unknown version)", nil
}

// freePort returns a port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("redisd: finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// ttlTick is how often the embedded server's TTLs are moved on.
const ttlTick = 10 * time.Millisecond

func startEmbedded(ctx context.Context, why string) (*Server, error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("redisd: starting the embedded server: %w", err)
	}
	s := &Server{
		addr:     m.Addr(),
		mini:     m,
		tickStop: make(chan struct{}),
		tickDone: make(chan struct{}),
	}
	s.kind = fmt.Sprintf("embedded miniredis (%s) on %s", why, s.addr)
	// miniredis only expires keys when told time has passed: tell it, so
	// that a key set with a TTL (a worker's heartbeat) runs out as in Redis.
	go func() {
		defer close(s.tickDone)
		t := time.NewTicker(ttlTick)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-s.tickStop:
				return
			case now := <-t.C:
				m.FastForward(now.Sub(last))
				last = now
			}
		}
	}()
	s.stopCtx = context.AfterFunc(ctx, func() { s.shutdown(true) })
	return s, nil
}
