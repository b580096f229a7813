package redisd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/redis/go-redis/v9"
)

// childEnv makes this test binary, started again, a cell that starts a
// real redis-server, prints its pid and directory, and waits to be killed.
const childEnv = "REDISD_TEST_CELL"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		s, err := Start(context.Background(), Options{})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(s.PID(), s.dir)
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestServerDiesWithCell: a cell killed by SIGKILL takes its redis-server
// with it (Pdeathsig), and the next Start removes the directory it left.
func TestServerDiesWithCell(t *testing.T) {
	needReal(t, false)
	cell := exec.Command(os.Args[0], "-test.run=^$")
	cell.Env = append(os.Environ(), childEnv+"=1")
	out, err := cell.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cell.Start(); err != nil {
		t.Fatal(err)
	}
	defer cell.Process.Kill()
	var pid int
	var dir string
	if _, err := fmt.Fscan(out, &pid, &dir); err != nil {
		t.Fatalf("reading the cell's redis-server pid: %v", err)
	}
	cell.Process.Kill()
	cell.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for !leakcheck.Gone(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("redis-server (pid %d) still runs 5 s after its cell was killed", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The directory is still there (unless another test's Start swept it).
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the next Start left the killed cell's directory %s: %v", dir, err)
	}
}

// kinds are the two servers every test runs against.
var kinds = []struct {
	name     string
	embedded bool
}{
	{"redis-server", false},
	{"embedded", true},
}

// needReal skips a test of the real server where the machine has none.
func needReal(t *testing.T, embedded bool) {
	t.Helper()
	if embedded {
		return
	}
	if _, err := Find(); err != nil {
		t.Skipf("%v: the real-server case is skipped (the embedded server is tested)", err)
	}
}

// newClient is a plain go-redis client of addr, a URL.
func newClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	o, err := redis.ParseURL(addr)
	if err != nil {
		t.Fatal(err)
	}
	o.Protocol, o.DisableIdentity = 2, true
	return redis.NewClient(o)
}

// network is how a client reaches s: a unix socket, or TCP.
func network(s *Server) string {
	if s.Embedded() {
		return "tcp"
	}
	return "unix"
}

func TestSetGetAndClose(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			needReal(t, k.embedded)
			before := runtime.NumGoroutine()
			s, err := Start(context.Background(), Options{Embedded: k.embedded})
			if err != nil {
				t.Fatal(err)
			}
			want, suffix := "redis-server 7", " on the unix socket "+s.Where()+" (password, no TCP port)"
			if k.embedded {
				want, suffix = "embedded miniredis (asked for) on 127.0.0.1:", " on "+s.Where()+" (password)"
			}
			if !strings.HasPrefix(s.Kind(), want) || !strings.HasSuffix(s.Kind(), suffix) || s.String() != s.Kind() {
				t.Errorf("Kind() = %q, want %q...%q", s.Kind(), want, suffix)
			}
			if s.Embedded() != k.embedded || (s.PID() == 0) != k.embedded {
				t.Errorf("Embedded() = %v, PID() = %d", s.Embedded(), s.PID())
			}

			c := newClient(t, s.Addr())
			ctx := context.Background()
			if err := c.Set(ctx, "dish", "soup", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if got, err := c.Get(ctx, "dish").Result(); got != "soup" || err != nil {
				t.Errorf("GET dish = %q, %v", got, err)
			}
			c.Close()

			pid, dir := s.PID(), s.dir
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if pid != 0 && !leakcheck.Gone(pid) {
				t.Errorf("redis-server (pid %d) still exists after Close", pid)
			}
			if dir != "" {
				if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("directory %s still exists after Close: %v", dir, err)
				}
			}
			if c, err := net.DialTimeout(network(s), s.Where(), time.Second); err == nil {
				c.Close()
				t.Errorf("%s still accepts connections after Close", s.Where())
			}
			leakcheck.Goroutines(t, before)
		})
	}
}

func TestCancelKillsServer(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			needReal(t, k.embedded)
			ctx, cancel := context.WithCancel(context.Background())
			s, err := Start(ctx, Options{Embedded: k.embedded})
			if err != nil {
				t.Fatal(err)
			}
			pid, dir := s.PID(), s.dir
			cancel()
			deadline := time.Now().Add(5 * time.Second)
			for {
				c, err := net.DialTimeout(network(s), s.Where(), time.Second)
				if err != nil && (pid == 0 || leakcheck.Gone(pid)) {
					break
				}
				if c != nil {
					c.Close()
				}
				if time.Now().After(deadline) {
					t.Fatalf("the server (pid %d) still runs 5 s after its context was cancelled", pid)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := s.Close(); err != nil {
				t.Errorf("Close after cancel: %v", err)
			}
			if dir != "" {
				if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("directory %s still exists: %v", dir, err)
				}
			}
		})
	}
}

func TestFallbackToEmbedded(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-redis-server")
	tests := []struct {
		name, env, path, want string
	}{
		{"missing path in " + ServerEnv, missing, os.Getenv("PATH"), ServerEnv + "=" + missing + " is not an executable file"},
		{"a directory in " + ServerEnv, t.TempDir(), os.Getenv("PATH"), "is not an executable file"},
		{"nothing on PATH", "", t.TempDir(), "no redis-server found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(ServerEnv, tt.env)
			t.Setenv("PATH", tt.path)
			s, err := Start(context.Background(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if !s.Embedded() || !strings.HasPrefix(s.Kind(), "embedded miniredis (") || !strings.Contains(s.Kind(), tt.want) {
				t.Errorf("Kind() = %q, want the embedded server, saying %q", s.Kind(), tt.want)
			}
		})
	}
}

func TestBrokenServerFails(t *testing.T) {
	script := filepath.Join(t.TempDir(), "redis-server")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho 'FATAL: cannot start, out of cheese' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(ServerEnv, script)
	s, err := Start(context.Background(), Options{})
	if err == nil {
		s.Close()
		t.Fatal("a server that exits at once started")
	}
	for _, want := range []string{script, "exited before answering PING", "exit status 1", "out of cheese"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestEmbeddedTTLs checks that keys with a TTL run out in the embedded
// server as in Redis: miniredis alone only expires keys when told.
func TestEmbeddedTTLs(t *testing.T) {
	s, err := Start(context.Background(), Options{Embedded: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := newClient(t, s.Addr())
	defer c.Close()
	ctx := context.Background()
	if err := c.Set(ctx, "heartbeat", "1", 100*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.Exists(ctx, "heartbeat").Val() == 1 {
		if time.Now().After(deadline) {
			t.Fatal("a key with a TTL of 100 ms still exists after 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
