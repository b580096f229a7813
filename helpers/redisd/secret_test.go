package redisd

import (
	"bufio"
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/quietredis"
)

// withPassword returns addr, a URL, with its password replaced by
// password, or removed when password is "".
func withPassword(t *testing.T, addr, password string) string {
	t.Helper()
	u, err := url.Parse(addr)
	if err != nil {
		t.Fatal(err)
	}
	u.User = nil
	if password != "" {
		u.User = url.UserPassword("", password)
	}
	return u.String()
}

// TestOnlyTheCellGetsIn: a client without the server's password, or with
// a wrong one, gets an error and no reply; with Addr it works; nothing a
// learner sees shows the password.
func TestOnlyTheCellGetsIn(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			needReal(t, k.embedded)
			s, err := Start(context.Background(), Options{Embedded: k.embedded})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(s.password) {
				t.Fatalf("password %q: want 32 random hex digits", s.password)
			}
			scheme := "unix://"
			if k.embedded {
				scheme = "redis://"
			}
			if !strings.HasPrefix(s.Addr(), scheme+":"+s.password+"@") {
				t.Errorf("Addr() = %s, want %s:PASSWORD@...", quietredis.Redact(s.Addr()), scheme)
			}
			for _, shown := range []string{s.Kind(), s.String(), s.Where(), quietredis.Redact(s.Addr())} {
				if strings.Contains(shown, s.password) {
					t.Errorf("%q shows the password", shown)
				}
			}

			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			tests := []struct {
				name, addr string
				want       string // a pattern the error matches; "" for a working client
			}{
				{"no password", withPassword(t, s.Addr(), ""), "^NOAUTH "},
				{"a wrong password", withPassword(t, s.Addr(), "0123456789abcdef0123456789abcdef"), "^WRONGPASS "},
				{"Addr", s.Addr(), ""},
			}
			if k.embedded { // the old form of an address
				tests = append(tests, struct{ name, addr, want string }{"host:port", s.Where(), "^NOAUTH "})
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					rdb, err := quietredis.Dial(ctx, tt.addr, quietredis.Options{})
					if tt.want != "" {
						if err == nil {
							rdb.Close()
							t.Fatalf("a client with %s got in", tt.name)
						}
						if !regexp.MustCompile(tt.want).MatchString(err.Error()) {
							t.Errorf("error %q, want %q", err, tt.want)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					defer rdb.Close()
					if err := rdb.Set(ctx, "dish", "soup", 0).Err(); err != nil {
						t.Fatal(err)
					}
					if got := rdb.Get(ctx, "dish").Val(); got != "soup" {
						t.Errorf("GET dish = %q", got)
					}
					// Neither server lets a client read or change its settings.
					if v, err := rdb.Do(ctx, "CONFIG", "GET", "dir").Result(); err == nil {
						t.Errorf("CONFIG GET dir answered %v", v)
					}
				})
			}

			// A raw connection that sends a command without AUTH gets an
			// error, and never the data.
			c, err := net.DialTimeout(network(s), s.Where(), time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(2 * time.Second))
			if _, err := c.Write([]byte("*2\r\n$3\r\nGET\r\n$4\r\ndish\r\n")); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil || !strings.HasPrefix(line, "-NOAUTH") {
				t.Errorf("GET without AUTH: %q, %v; want -NOAUTH", line, err)
			}
		})
	}
}

// TestRealServerLocked: the real server has its dangerous commands
// disabled, listens on no TCP port, on a socket in a directory only its
// user can enter, has no secret on its command line, and another user of
// the machine cannot even open its socket.
func TestRealServerLocked(t *testing.T) {
	needReal(t, false)
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rdb, err := quietredis.Dial(ctx, s.Addr(), quietredis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	for _, c := range disabled {
		t.Run(c, func(t *testing.T) {
			v, err := rdb.Do(ctx, strings.ToLower(c)).Result()
			if err == nil || !strings.Contains(err.Error(), "unknown command") {
				t.Errorf("%s answered %v, %v; want unknown command", c, v, err)
			}
		})
	}
	if got := rdb.Ping(ctx).Val(); got != "PONG" {
		t.Fatalf("after the disabled commands, PING = %q", got)
	}

	for path, want := range map[string]os.FileMode{s.dir: 0o700, s.Where(): 0o700} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", path, st.Mode().Perm(), want)
		}
	}
	if filepath.Dir(s.Where()) != s.dir {
		t.Errorf("socket %s is not in the server's directory %s", s.Where(), s.dir)
	}
	if entries, _ := os.ReadDir(s.dir); len(entries) != 1 {
		t.Errorf("the server's directory holds %d files, want only the socket", len(entries))
	}

	cmdline, err := os.ReadFile(filepath.Join("/proc", itoa(s.PID()), "cmdline"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cmdline), s.password) || strings.Contains(string(cmdline), "requirepass") {
		t.Errorf("redis-server's command line %q shows its password", cmdline)
	}

	if tcp := tcpSockets(t, s.PID()); len(tcp) > 0 {
		t.Errorf("redis-server has TCP sockets %v, want none", tcp)
	}

	// Another user: as root, open the socket as nobody.
	if os.Geteuid() != 0 {
		return
	}
	nobody, err := user.Lookup("nobody")
	cli, lerr := exec.LookPath("redis-cli")
	if err != nil || lerr != nil {
		t.Logf("no user nobody or no redis-cli (%v, %v): the other-user case is skipped", err, lerr)
		return
	}
	cmd := exec.Command(cli, "-s", s.Where(), "PING")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(atoi(t, nobody.Uid)), Gid: uint32(atoi(t, nobody.Gid))}}
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "Permission denied") {
		t.Errorf("user nobody ran redis-cli -s %s PING: %q, want Permission denied", s.Where(), out)
	}
}

// tcpSockets returns the TCP sockets (IPv4 and IPv6) that process pid
// holds, as lines of /proc/net/tcp{,6}.
func tcpSockets(t *testing.T, pid int) []string {
	t.Helper()
	fds, err := os.ReadDir(filepath.Join("/proc", itoa(pid), "fd"))
	if err != nil {
		t.Fatal(err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc", itoa(pid), "fd", fd.Name()))
		if inode, ok := strings.CutPrefix(target, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	if len(inodes) == 0 {
		t.Fatalf("process %d holds no socket at all: is it redis-server?", pid)
	}
	var found []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(data)) {
			if f := strings.Fields(line); len(f) > 9 && inodes[f[9]] {
				found = append(found, strings.TrimSpace(line))
			}
		}
	}
	return found
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
