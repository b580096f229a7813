// Package quietredis makes the go-redis clients of the course's helpers
// (redisd and jobs): clients of a server that may not be there, because it
// is still starting or because it stopped with the cell that started it.
//
// A go-redis client dials lazily. When the server does not answer, it
// tries again up to five times, waits between tries, and then logs the
// failure through go-redis's global logger ("redis: connection pool:
// failed to dial after 5 attempts"): noise under a cell, and a slow
// answer where one clear error would do. Dial makes the first connection
// itself, once, and checks that the server answers PING on it: an
// unreachable server is one error, at once, with nothing logged, and the
// client that Dial returns starts with that connection.
//
// An address is host:port, or a URL that carries everything a client
// needs: redis://:PASSWORD@host:port/0 or unix://:PASSWORD@/path/to/redis.sock
// (the forms go-redis's ParseURL reads). Redact hides the password of such
// an address, for an error message or a log line.
//
// The clients speak plain RESP2 and skip the handshakes that a real
// redis-server and the embedded miniredis do not both know (CLIENT
// SETINFO, maintenance notifications). A command's context deadline
// bounds its wait for the server's answer.
package quietredis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// defaultTimeout bounds a dial when Options.Timeout is zero.
const defaultTimeout = 2 * time.Second

// Options configure Dial.
type Options struct {
	// Timeout bounds each dial (default 2 seconds); ctx bounds the PING
	// that follows the first.
	Timeout time.Duration
	// Once makes a client for a last word with a server that may be
	// stopping: it has the first connection only and never dials again,
	// and a command that fails on a broken connection is not tried again.
	// A command that would need another connection fails, quietly too.
	// Without Once, a command is tried once more on a new connection, and
	// go-redis dials (and logs a failure) as usual when it needs one.
	Once bool
}

// errOnce is what a client made with Options.Once says when it would need
// a second connection.
var errOnce = errors.New("quietredis: the client's one connection is gone")

// gone is the connection that a client made with Options.Once gets when
// it asks for another: every read and write fails with errOnce. (A dialer
// that failed instead would have go-redis log the failure.)
type gone struct{ net.Conn }

func (gone) Read([]byte) (int, error)  { return 0, errOnce }
func (gone) Write([]byte) (int, error) { return 0, errOnce }

func newGone() net.Conn {
	c, other := net.Pipe()
	other.Close()
	return gone{c}
}

// Dial connects to the Redis server at addr once, sends PING (after AUTH,
// when addr carries a password), and returns a client whose first
// connection is that one. addr is host:port or a redis:// or unix:// URL
// (see the package comment). When the server cannot be reached within
// opts.Timeout, does not answer, refuses the password, or ctx is done
// first, it returns the error, and go-redis logs nothing. No error shows
// the password.
func Dial(ctx context.Context, addr string, opts Options) (*redis.Client, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	t, err := parse(addr)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: opts.Timeout}
	c, err := d.DialContext(ctx, t.Network, t.Addr)
	if err != nil {
		return nil, err
	}
	first := make(chan net.Conn, 1)
	first <- c
	o := &redis.Options{
		Network:  t.Network,
		Addr:     t.Addr,
		Username: t.Username,
		Password: t.Password,
		DB:       t.DB,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			select {
			case c := <-first:
				return c, nil
			default:
			}
			if opts.Once {
				return newGone(), nil
			}
			return d.DialContext(ctx, network, addr)
		},
		Protocol:        2, // plain RESP2: both servers speak it, with nothing to negotiate
		DisableIdentity: true,
		DialTimeout:     opts.Timeout,
		// A command's context bounds its reads and writes: without this,
		// go-redis waits out its ReadTimeout (3 s) whatever the deadline.
		ContextTimeoutEnabled: true,
		DialerRetries:         2,
		MaxRetries:            1,
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled,
		},
	}
	if opts.Once {
		o.DialerRetries, o.MaxRetries = 1, -1
	}
	rdb := redis.NewClient(o)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		select {
		case c := <-first: // ctx ended before the client took it
			c.Close()
		default:
		}
		return nil, err
	}
	return rdb, nil
}

// parse reads an address: host:port, or a redis:// or unix:// URL. Its
// errors show the address redacted.
func parse(addr string) (*redis.Options, error) {
	if !strings.Contains(addr, "://") {
		if _, port, err := net.SplitHostPort(addr); err != nil || strings.Trim(port, "0123456789") != "" {
			return nil, fmt.Errorf("quietredis: the Redis address %q is neither host:port nor a redis:// or unix:// URL", Redact(addr))
		}
		return &redis.Options{Network: "tcp", Addr: addr}, nil
	}
	if strings.HasPrefix(addr, "rediss://") {
		return nil, fmt.Errorf("quietredis: %s: TLS (rediss://) is not supported", Redact(addr))
	}
	o, err := redis.ParseURL(addr)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // its text holds the whole URL, password and all
			err = ue.Err
		}
		return nil, fmt.Errorf("quietredis: the Redis address %s: %v", Redact(addr), err)
	}
	return o, nil
}

// userinfo is the user:password@ part of a URL that net/url cannot parse.
var userinfo = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#]*@`)

// Redact returns addr with the password of a URL replaced by "xxxxx"
// (unix://:xxxxx@/tmp/r/redis.sock): an address that can be shown. Any
// other address is returned as it is.
func Redact(addr string) string {
	if !strings.Contains(addr, "@") {
		return addr
	}
	if u, err := url.Parse(addr); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return u.Redacted()
		}
		return addr
	}
	return userinfo.ReplaceAllString(addr, "${1}xxxxx@")
}
