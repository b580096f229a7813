// Package asynqrun connects github.com/hibiken/asynq, the Redis job queue
// that Go services use, to a Redis server of the course's redisd package,
// and reads the results of its tasks back for a notebook cell.
//
// redisd's server is private: a real redis-server listens only on a unix
// socket, the embedded one on a port of 127.0.0.1, and both ask for a
// password. Opt turns redisd's address (a URL with the password in it)
// into asynq's connection options: Network "unix", the socket's path and
// the password for the first, a host:port and the password for the
// second. A worker process gets the address and its name in its
// environment (Env, FromEnv), which only its user can read.
//
// The rest is what a lesson needs that asynq leaves to its users: Config,
// a Server configuration that looks at an empty queue every Poll instead
// of every second and logs only warnings; WaitServers, which waits until
// the worker processes have started their servers; Wait, which waits
// until tasks have ended and returns their infos (asynq keeps a task's
// result only when it was enqueued with asynq.Retention); Results, which
// decodes their JSON payloads and results; and Leases, which reads when
// asynq will take running tasks for abandoned.
package asynqrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Environment variables that tell a worker process where Redis is and
// what it is called; Env sets them, FromEnv reads them.
const (
	AddrEnv = "COURSE_ASYNQ_ADDR"   // redisd's address, password included: a secret
	NameEnv = "COURSE_ASYNQ_WORKER" // the worker's name
)

// Poll is how often a Server made with Config looks at an empty queue (it
// sleeps from Poll/2 to 3*Poll/2 between looks; asynq's default is one
// second), and how often WaitServers and Wait look at Redis.
const Poll = 10 * time.Millisecond

// Opt returns asynq's connection options for addr, an address of
// redisd.Server.Addr: unix://:PASSWORD@/path/redis.sock (a real
// redis-server's socket) or redis://:PASSWORD@host:port/DB (the embedded
// server). Errors never show the password.
func Opt(addr string) (asynq.RedisClientOpt, error) {
	u, err := url.Parse(addr)
	if err != nil {
		return asynq.RedisClientOpt{}, errors.New("asynqrun: the Redis address is not a URL")
	}
	password, _ := u.User.Password()
	switch u.Scheme {
	case "unix":
		if u.Path == "" {
			return asynq.RedisClientOpt{}, errors.New("asynqrun: the unix:// address has no socket path")
		}
		return asynq.RedisClientOpt{Network: "unix", Addr: u.Path, Password: password}, nil
	case "redis":
		if u.Host == "" {
			return asynq.RedisClientOpt{}, errors.New("asynqrun: the redis:// address has no host:port")
		}
		db := 0
		if p := strings.Trim(u.Path, "/"); p != "" {
			if db, err = strconv.Atoi(p); err != nil {
				return asynq.RedisClientOpt{}, fmt.Errorf("asynqrun: the database %q of the redis:// address is not a number", p)
			}
		}
		return asynq.RedisClientOpt{Network: "tcp", Addr: u.Host, Password: password, DB: db}, nil
	}
	return asynq.RedisClientOpt{}, fmt.Errorf("asynqrun: the Redis address's scheme is %q: want unix or redis", u.Scheme)
}

// Env returns the environment a worker process needs to reach the Redis
// server at addr (a redisd address) under the name name, for
// proc.StartOptions.Env.
func Env(addr, name string) []string {
	return []string{AddrEnv + "=" + addr, NameEnv + "=" + name}
}

// FromEnv returns, in a worker process started with Env, the connection
// options of its Redis server and its name.
func FromEnv() (opt asynq.RedisClientOpt, name string, err error) {
	addr, ok := os.LookupEnv(AddrEnv)
	if !ok {
		return opt, "", fmt.Errorf("asynqrun: %s is not set: start the worker with asynqrun.Env in its environment", AddrEnv)
	}
	opt, err = Opt(addr)
	return opt, os.Getenv(NameEnv), err
}

// Config returns the configuration of an asynq.Server that runs at most
// concurrency tasks at once (asynq's default is one per CPU), looks at
// an empty queue every Poll, logs warnings and errors only, and waits at
// most two seconds for its running tasks when it shuts down (asynq's
// default is eight) before it puts them back in the queue.
func Config(concurrency int) asynq.Config {
	return asynq.Config{
		Concurrency:       concurrency,
		TaskCheckInterval: Poll,
		LogLevel:          asynq.WarnLevel,
		ShutdownTimeout:   2 * time.Second,
	}
}

// WaitServers waits until at least n asynq servers have written their
// state to Redis (Inspector.Servers), which each does as it starts. It
// returns ctx's error as soon as ctx is done, even while a call to Redis
// is under way.
func WaitServers(ctx context.Context, insp *asynq.Inspector, n int) error {
	for {
		servers, err := ask(ctx, insp.Servers)
		if err != nil {
			return fmt.Errorf("asynqrun: listing the servers: %w", err)
		}
		if len(servers) >= n {
			return nil
		}
		if err := sleep(ctx); err != nil {
			return fmt.Errorf("asynqrun: waiting for %d servers (%d so far): %w", n, len(servers), err)
		}
	}
}

// Ended reports whether a task in state s will not run again: completed
// (its result is kept) or archived (it failed, and has no retry left).
func Ended(s asynq.TaskState) bool {
	return s == asynq.TaskStateCompleted || s == asynq.TaskStateArchived
}

// Wait waits until every task of queue named in ids has ended (see
// Ended), and returns their infos in the order of ids: a completed task's
// Result is what its handler wrote with its ResultWriter. A task that
// succeeded without asynq.Retention is deleted at once and Wait cannot
// find it: enqueue with Retention. When ctx is done first, Wait returns
// the infos it last read (nil for a task not read) with ctx's error, at
// once, even while a call to Redis is under way.
func Wait(ctx context.Context, insp *asynq.Inspector, queue string, ids ...string) ([]*asynq.TaskInfo, error) {
	infos := make([]*asynq.TaskInfo, len(ids))
	for {
		ended := 0
		for i, id := range ids {
			if infos[i] != nil && Ended(infos[i].State) {
				ended++
				continue
			}
			info, err := ask(ctx, func() (*asynq.TaskInfo, error) { return insp.GetTaskInfo(queue, id) })
			if errors.Is(err, asynq.ErrTaskNotFound) {
				return infos, fmt.Errorf("asynqrun: task %s is gone: enqueue it with asynq.Retention to keep it and its result", id)
			}
			if err != nil {
				return infos, fmt.Errorf("asynqrun: reading task %s: %w", id, err)
			}
			infos[i] = info
			if Ended(info.State) {
				ended++
			}
		}
		if ended == len(ids) {
			return infos, nil
		}
		if err := sleep(ctx); err != nil {
			return infos, fmt.Errorf("asynqrun: waiting for %d tasks (%d ended): %w", len(ids), ended, err)
		}
	}
}

// A Task is an ended task with its payload and its result decoded from
// JSON: the result is R's zero value for a task that left none (one that
// failed, or whose handler wrote nothing).
type Task[P, R any] struct {
	Info    *asynq.TaskInfo
	Payload P
	Result  R
}

// Results decodes the JSON payload and result of each task of infos (as
// Wait returns them), in order. A task whose payload or result is not
// JSON of its type is an error that names it.
func Results[P, R any](infos []*asynq.TaskInfo) ([]Task[P, R], error) {
	tasks := make([]Task[P, R], len(infos))
	for i, info := range infos {
		if info == nil {
			return nil, fmt.Errorf("asynqrun: task %d of %d was never read", i+1, len(infos))
		}
		tasks[i].Info = info
		if err := json.Unmarshal(info.Payload, &tasks[i].Payload); err != nil {
			return nil, fmt.Errorf("asynqrun: the payload of task %s: %w", info.ID, err)
		}
		if len(info.Result) == 0 {
			continue
		}
		if err := json.Unmarshal(info.Result, &tasks[i].Result); err != nil {
			return nil, fmt.Errorf("asynqrun: the result of task %s: %w", info.ID, err)
		}
	}
	return tasks, nil
}

// Leases returns when the leases of the tasks running in queue end, by
// task ID, as asynq keeps them in Redis: a server sets a task's lease
// when it takes the task and extends it while it runs, and a task whose
// lease has ended is taken for abandoned (its worker died) and run again.
func Leases(ctx context.Context, opt asynq.RedisClientOpt, queue string) (map[string]time.Time, error) {
	rdb, ok := opt.MakeRedisClient().(*redis.Client)
	if !ok {
		return nil, errors.New("asynqrun: not a redis.Client")
	}
	defer rdb.Close()
	zs, err := rdb.ZRangeWithScores(ctx, "asynq:{"+queue+"}:lease", 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("asynqrun: reading the leases: %w", err)
	}
	leases := make(map[string]time.Time, len(zs))
	for _, z := range zs {
		if id, ok := z.Member.(string); ok {
			leases[id] = time.Unix(int64(z.Score), 0)
		}
	}
	return leases, nil
}

// ask returns what f returns, or ctx's error as soon as ctx is done.
// f is a call of asynq's Inspector, which takes no context: against a
// Redis server that has stopped (a cell interrupted), go-redis dials it
// again and again for about two seconds before such a call fails. When
// ctx is done first, f goes on in its goroutine until then.
func ask[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	case r := <-done:
		return r.v, r.err
	}
}

// sleep waits Poll, or returns ctx's error when it is done first.
func sleep(ctx context.Context) error {
	t := time.NewTimer(Poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
