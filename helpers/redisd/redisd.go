// Package redisd starts a Redis server for one notebook cell: the real
// redis-server when the machine has one, or an embedded in-process server
// (miniredis) when it has not, so that the job-queue lesson runs anywhere.
//
// Only the cell reaches the server. A real redis-server listens on no TCP
// port, only on a unix socket in a directory of its own that only this
// user can enter (mode 0700); it asks for a password made at random for
// it, and its CONFIG, DEBUG, MODULE, SHUTDOWN, ACL, replication and
// save-to-disk commands are disabled. Its settings and password reach it
// on its standard input, never its command line (which every user of the
// machine can read with ps). The embedded server, which has no unix
// socket, listens on a free port of 127.0.0.1 and asks for such a password
// too. Addr is a URL that carries the password: a client needs nothing
// else, and a worker process gets it through its environment, which only
// its user can read. Kind and String show where the server listens, never
// the password.
//
// The server keeps nothing on disk but its socket, and is gone when the
// cell ends: Close stops it, cancelling the context
// given to Start kills it, and a real redis-server is the cell's child with
// a parent-death signal, so it dies with the cell even if the cell is
// killed. Kind says in words which server a lesson got.
package redisd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
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
	addr     string // a URL with the password
	where    string // the socket's path or host:port, to show
	password string
	kind     string

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

// Start starts a Redis server that only this cell can reach (see the
// package comment). It runs redis-server (the path in COURSE_REDIS_SERVER,
// else the one on PATH) with persistence off, on a unix socket in a
// temporary directory of its own; where there is no such binary, or when
// opts.Embedded is set, it starts an embedded miniredis on a free port of
// 127.0.0.1 instead. Both ask for a fresh random password. The server is
// killed when ctx is done; Close stops it sooner.
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
	return startReal(ctx, bin, opts.StartTimeout)
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

// Addr returns what a client needs to reach the server, password
// included, as a URL that go-redis's ParseURL reads:
// unix://:PASSWORD@/tmp/course-redis-…/redis.sock for a real redis-server,
// redis://:PASSWORD@127.0.0.1:PORT/0 for the embedded one. It is a secret:
// pass it to the jobs package, or to a child process in its environment,
// and do not print it (quietredis.Redact hides its password).
func (s *Server) Addr() string { return s.addr }

// Where returns where the server listens, with no secret in it: the path
// of a real redis-server's unix socket, or the embedded server's
// host:port.
func (s *Server) Where() string { return s.where }

// Kind says which server this is, for a learner to read: "redis-server
// 7.0.15 on the unix socket /tmp/course-redis-…/redis.sock (password, no
// TCP port)" or "embedded miniredis (no redis-server found) on
// 127.0.0.1:6379 (password)". It never shows the password.
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

// disabled are the commands a real redis-server is started without: those
// that change its settings, users or password (CONFIG, ACL), run or load
// code in it (DEBUG, MODULE), stop it (SHUTDOWN: Close signals it
// instead), write its data to disk (SAVE, BGSAVE, BGREWRITEAOF), or copy it
// to or from another server (REPLICAOF, SLAVEOF, MIGRATE, FAILOVER, SYNC,
// PSYNC), and MONITOR. redis-server 7.0 accepts rename-command "" for each.
var disabled = []string{
	"CONFIG", "ACL", "DEBUG", "MODULE", "SHUTDOWN",
	"SAVE", "BGSAVE", "BGREWRITEAOF",
	"REPLICAOF", "SLAVEOF", "MIGRATE", "FAILOVER", "SYNC", "PSYNC", "MONITOR",
}

// socketName is the name of a real server's unix socket in its directory.
const socketName = "redis.sock"

// maxSocketPath is the longest socket path every Unix takes (sun_path is
// 104 bytes on macOS and the BSDs, 108 on Linux, with a final NUL).
const maxSocketPath = 103

// newPassword returns a password made of 32 random hex digits.
func newPassword() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("redisd: making a password: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// config returns redis-server's settings: no TCP port, a unix socket that
// only this user can open, the password, nothing saved, and the disabled
// commands.
func config(dir, socket, password string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "port 0\nunixsocket %q\nunixsocketperm 700\n", socket)
	fmt.Fprintf(&b, "requirepass %q\n", password)
	fmt.Fprintf(&b, "save \"\"\nappendonly no\ndaemonize no\ndir %q\nlogfile \"\"\n", dir)
	for _, c := range disabled {
		fmt.Fprintf(&b, "rename-command %s \"\"\n", c)
	}
	return b.String()
}

// startReal starts redis-server on a unix socket in a new directory.
func startReal(ctx context.Context, bin string, timeout time.Duration) (*Server, error) {
	sweepStaleDirs()
	password, err := newPassword()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", dirPrefix, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("redisd: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil { // MkdirTemp's mode already, whatever the umask
		os.RemoveAll(dir)
		return nil, fmt.Errorf("redisd: %w", err)
	}
	socket := filepath.Join(dir, socketName)
	if len(socket) > maxSocketPath {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("redisd: the socket path %s is longer than %d bytes: set TMPDIR to a shorter directory (such as /tmp)", socket, maxSocketPath)
	}
	// "-" makes redis-server read its settings from stdin: the password
	// stays off its command line.
	cmd := exec.Command(bin, "-")
	cmd.Stdin = strings.NewReader(config(dir, socket, password))
	cmd.Dir = dir
	log := &lastlines.Writer{Max: 20}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("redisd: starting %s: %w", bin, err)
	}
	addr := (&url.URL{Scheme: "unix", User: url.UserPassword("", password), Path: socket}).String()
	s := &Server{addr: addr, where: socket, password: password, cmd: cmd, dir: dir, log: log, exited: make(chan struct{})}
	go func() {
		s.exit = cmd.Wait()
		close(s.exited)
	}()
	s.stopCtx = context.AfterFunc(ctx, func() { s.shutdown(true) })

	version, err := s.waitReady(ctx, timeout)
	if err != nil {
		s.shutdown(true)
		return nil, err
	}
	s.kind = fmt.Sprintf("redis-server %s on the unix socket %s (password, no TCP port)", version, socket)
	return s, nil
}

// dirPrefix starts the names of the servers' directories, followed by
// the pid of the process that made them.
const dirPrefix = "course-redis-"

// sweepStaleDirs removes the directories of servers whose process died
// without Close (a cell killed by SIGKILL): Pdeathsig ends the server, but
// nobody is left to remove its directory (and socket file).
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
				s.cmd.Path, s.where, timeout, last, s.log.Suffix("its last log lines"))
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

// ttlTick is how often the embedded server's TTLs are moved on.
const ttlTick = 10 * time.Millisecond

func startEmbedded(ctx context.Context, why string) (*Server, error) {
	password, err := newPassword()
	if err != nil {
		return nil, err
	}
	m := miniredis.NewMiniRedis()
	m.RequireAuth(password)
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("redisd: starting the embedded server: %w", err)
	}
	s := &Server{
		addr:     (&url.URL{Scheme: "redis", User: url.UserPassword("", password), Host: m.Addr(), Path: "/0"}).String(),
		where:    m.Addr(),
		password: password,
		mini:     m,
		tickStop: make(chan struct{}),
		tickDone: make(chan struct{}),
	}
	s.kind = fmt.Sprintf("embedded miniredis (%s) on %s (password)", why, s.where)
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
