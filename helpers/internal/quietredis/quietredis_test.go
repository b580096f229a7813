package quietredis

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/redis/go-redis/v9"
)

// logs records what go-redis logs, for the tests to check that it is nothing.
var logs recorder

type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) Printf(_ context.Context, format string, v ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, v...))
}

// take returns the lines logged since the last call, and forgets them.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.lines
	r.lines = nil
	return l
}

func TestMain(m *testing.M) {
	redis.SetLogger(&logs) // before any client runs: go-redis reads it without a lock
	os.Exit(m.Run())
}

// listen returns the address of a listener that serves each connection
// with serve; it is closed at cleanup.
func listen(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	t.Cleanup(func() { ln.Close(); conns.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Go(func() { defer c.Close(); serve(c) })
		}
	}()
	return ln.Addr().String()
}

// closedPort returns an address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestDial: every failure is one error, soon, with nothing logged and
// nothing left running; a server that answers gives a working client.
func TestDial(t *testing.T) {
	mini := miniredis.RunT(t)
	silent := listen(t, func(c net.Conn) { io.Copy(io.Discard, c) }) // reads until the client hangs up
	hangsUp := listen(t, func(net.Conn) {})
	tests := []struct {
		name string
		addr string
		want string // a pattern the error matches; "" for none
	}{
		{"nothing listens", closedPort(t), "connection refused"},
		{"a server that never answers", silent, "i/o timeout|deadline exceeded"},
		{"a server that hangs up", hangsUp, "EOF|connection reset by peer"},
		{"a Redis server", mini.Addr(), ""},
	}
	for _, tt := range tests {
		for _, once := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/once=%v", tt.name, once), func(t *testing.T) {
				before := runtime.NumGoroutine()
				ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
				defer cancel()
				start := time.Now()
				rdb, err := Dial(ctx, tt.addr, Options{Timeout: 300 * time.Millisecond, Once: once})
				took := time.Since(start)
				if tt.want == "" {
					if err != nil {
						t.Fatal(err)
					}
					if err := rdb.Set(ctx, "dish", "soup", 0).Err(); err != nil {
						t.Error(err)
					}
					if got := rdb.Get(ctx, "dish").Val(); got != "soup" {
						t.Errorf("GET dish = %q", got)
					}
					rdb.Close()
				} else if err == nil || !regexp.MustCompile(tt.want).MatchString(err.Error()) {
					t.Errorf("error %v, want %q", err, tt.want)
				}
				if took > time.Second {
					t.Errorf("Dial took %v", took)
				}
				if l := logs.take(); len(l) > 0 {
					t.Errorf("go-redis logged %q", l)
				}
				leakcheck.Goroutines(t, before)
			})
		}
	}
}

// TestPlainClientLogs shows what the package is for: a go-redis client of
// its own dials five times and logs.
func TestPlainClientLogs(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: closedPort(t), Protocol: 2, DisableIdentity: true})
	defer rdb.Close()
	start := time.Now()
	err := rdb.Ping(context.Background()).Err()
	took := time.Since(start)
	l := logs.take()
	if err == nil || len(l) == 0 || !strings.Contains(l[0], "failed to dial after 5 attempts") {
		t.Errorf("plain go-redis client: %v after %v, logged %q; want 5 tries and a log line (if go-redis no longer logs, quietredis may be simpler)", err, took, l)
	}
}

// TestOnce: a client made with Once fails at once when its connection
// breaks, and does not dial again; without Once, a command is tried again
// on a new connection. Neither logs.
func TestOnce(t *testing.T) {
	for _, once := range []bool{false, true} {
		t.Run(fmt.Sprintf("once=%v", once), func(t *testing.T) {
			mini := miniredis.RunT(t)
			ctx := context.Background()
			rdb, err := Dial(ctx, mini.Addr(), Options{Once: once})
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			mini.Close() // drops the client's connection
			if err := mini.Restart(); err != nil {
				t.Fatal(err)
			}
			err = rdb.Set(ctx, "dish", "soup", 0).Err()
			if once && (err == nil || mini.TotalConnectionCount() != 0) {
				t.Errorf("SET on a broken connection: %v, %d new connections; want an error and none", err, mini.TotalConnectionCount())
			}
			if !once && err != nil {
				t.Errorf("SET after the server restarted: %v, want it tried again on a new connection", err)
			}
			if l := logs.take(); len(l) > 0 {
				t.Errorf("go-redis logged %q", l)
			}
		})
	}
}

// secret is the password of the tests of addresses.
const secret = "c0ffee00c0ffee00c0ffee00c0ffee00"

// TestRedact: an address shown in an error or a log line has no password.
func TestRedact(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"127.0.0.1:6379", "127.0.0.1:6379"},
		{"redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"},
		{"redis://:" + secret + "@127.0.0.1:6379/0", "redis://:xxxxx@127.0.0.1:6379/0"},
		{"redis://cook:" + secret + "@127.0.0.1:6379/0", "redis://cook:xxxxx@127.0.0.1:6379/0"},
		{"unix://:" + secret + "@/tmp/r/redis.sock", "unix://:xxxxx@/tmp/r/redis.sock"},
		{"redis://:" + secret + "@127.0.0.1:port/0", "redis://xxxxx@127.0.0.1:port/0"}, // net/url cannot parse it
		{"redis://:" + secret + "@[::1/0", "redis://xxxxx@[::1/0"},
	}
	for _, tt := range tests {
		if got := Redact(tt.addr); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

// TestAddresses: Dial reads host:port and redis:// and unix:// URLs,
// sends the password a URL carries, and no error shows it.
func TestAddresses(t *testing.T) {
	mini := miniredis.RunT(t)
	mini.RequireAuth(secret)
	sock := filepath.Join(t.TempDir(), "redis.sock") // nothing listens there
	tests := []struct {
		name string
		addr string
		want string // a pattern the error matches; "" for none
	}{
		{"the password in a redis:// URL", "redis://:" + secret + "@" + mini.Addr() + "/0", ""},
		{"host:port, no password", mini.Addr(), "^NOAUTH "},
		{"a URL without the password", "redis://" + mini.Addr() + "/0", "^NOAUTH "},
		{"a wrong password", "redis://:wrong@" + mini.Addr() + "/0", "^WRONGPASS "},
		{"a unix socket nobody listens on", "unix://:" + secret + "@" + sock, "dial unix .*redis.sock: connect: no such file"},
		{"a URL net/url cannot parse", "redis://:" + secret + "@127.0.0.1:port/0", `the Redis address redis://xxxxx@127.0.0.1:port/0: invalid port`},
		{"a database that is no number", "redis://:" + secret + "@" + mini.Addr() + "/soup", "invalid database number"},
		{"TLS", "rediss://:" + secret + "@" + mini.Addr() + "/0", "rediss://:xxxxx@.*not supported"},
		{"neither form", "kitchen", "neither host:port nor"},
		{"a port that is no number", "127.0.0.1:soup", "neither host:port nor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			rdb, err := Dial(ctx, tt.addr, Options{})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				defer rdb.Close()
				if err := rdb.Set(ctx, "dish", "soup", 0).Err(); err != nil {
					t.Error(err)
				}
				return
			}
			if err == nil {
				rdb.Close()
				t.Fatalf("Dial(%s) worked", Redact(tt.addr))
			}
			if !regexp.MustCompile(tt.want).MatchString(err.Error()) {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q shows the password", err)
			}
			if l := logs.take(); len(l) > 0 {
				t.Errorf("go-redis logged %q", l)
			}
		})
	}
}
