package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/jobstore"
	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/concurrency-kitchen/course/helpers/internal/quietredis"
	"github.com/concurrency-kitchen/course/helpers/redisd"
)

// TestOutcomes runs one job of each kind through an in-process worker.
func TestOutcomes(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			srv := startServer(t, k.embedded)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			q := openQueue(t, ctx, srv, "outcomes", Options{Heartbeat: testBeat})
			var log syncBuffer
			inProcess(t, srv.Addr(), q.Name(), "cook", Options{Heartbeat: testBeat, Log: &log})

			tests := []struct {
				fn     string
				arg    any
				state  State
				result string // the result as JSON, or a part of the error
			}{
				{"square", 7, StateFinished, "49"},
				{"fail", nil, StateFailed, "the oven is cold"},
				{"panic", nil, StateFailed, "panic panicked: the pan is on fire"},
				{"unencodable", nil, StateFailed, "the result of unencodable cannot be encoded as JSON"},
				{"no_such_function", 1, StateFailed, `worker cook has no function named "no_such_function" (it has "count_words", "crash", "fail"`},
				{"square", "not a number", StateFailed, "cannot unmarshal string"},
			}
			var ids []string
			for _, tt := range tests {
				id, err := q.Enqueue(ctx, tt.fn, tt.arg)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			got, err := q.Wait(ctx, ids...)
			if err != nil {
				t.Fatal(err)
			}
			for i, tt := range tests {
				j := got[i]
				ok := j.State == tt.state && j.Worker == "cook" && j.Attempts == 1 && j.ID == ids[i] && j.Func == tt.fn
				if tt.state == StateFinished {
					ok = ok && string(j.Result) == tt.result && j.Error == ""
				} else {
					ok = ok && strings.Contains(j.Error, tt.result) && j.Result == nil
				}
				if !ok || j.Enqueued.IsZero() || j.Started.Before(j.Enqueued) || j.Ended.Before(j.Started) {
					t.Errorf("%s(%v): %+v; want %s with %q", tt.fn, tt.arg, j, tt.state, tt.result)
				}
			}
			all, err := q.Jobs(ctx)
			if err != nil || len(all) != len(tests) {
				t.Fatalf("Jobs: %d jobs, %v", len(all), err)
			}
			table := Table(all)
			for _, want := range []string{"ID  FUNC  ", "  ATTEMPTS  LOST\n", "finished  49  ", "failed    error: the oven is cold  ", "  cook    1  "} {
				if !strings.Contains(table, want) {
					t.Errorf("table lacks %q:\n%s", want, table)
				}
			}
			if !strings.Contains(log.String(), "cook: job 1 square(7) started, attempt 1") {
				t.Errorf("worker log:\n%s", log.String())
			}
		})
	}
}

// TestStopGivesJobBack: a worker stopped in the middle of a job gives it
// back to the queue, and another worker runs it.
func TestStopGivesJobBack(t *testing.T) {
	srv := startServer(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := openQueue(t, ctx, srv, "stop", Options{Heartbeat: testBeat})
	id, err := q.Enqueue(ctx, "sleep", 300)
	if err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	errc := make(chan error, 1)
	first := Worker{Addr: srv.Addr(), Queue: q.Name(), Name: "first", Handlers: testHandlers, Options: Options{Heartbeat: testBeat}}
	go func() { errc <- first.Run(wctx) }()
	waitFor(t, 10*time.Second, "the first worker to start the job", func() bool {
		j, err := q.Job(ctx, id)
		return err == nil && j.State == StateStarted
	})
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	j, err := q.Job(ctx, id)
	if err != nil || j.State != StateQueued || !slices.Equal(j.Lost, []string{"first"}) {
		t.Fatalf("after the stop: %+v, %v", j, err)
	}
	if alive, _ := q.Alive(ctx); len(alive) != 0 {
		t.Errorf("a stopped worker is alive: %v", alive)
	}
	inProcess(t, srv.Addr(), q.Name(), "second", Options{Heartbeat: testBeat})
	got, err := q.Wait(ctx, id)
	if err != nil || got[0].State != StateFinished || got[0].Worker != "second" || got[0].Attempts != 2 {
		t.Errorf("after the second worker: %+v, %v", got, err)
	}
}

func TestBadInput(t *testing.T) {
	srv := startServer(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := openQueue(t, ctx, srv, "bad", Options{Heartbeat: testBeat})
	inProcess(t, srv.Addr(), q.Name(), "taken", Options{Heartbeat: testBeat})
	waitFor(t, 10*time.Second, "the worker", func() bool { a, _ := q.Alive(ctx); return len(a) == 1 })

	open := func(addr, queue string, opts Options) error {
		q, err := Open(ctx, addr, queue, opts)
		if err == nil {
			q.Close()
		}
		return err
	}
	enqueue := func(fn string, arg any) error { _, err := q.Enqueue(ctx, fn, arg); return err }
	work := func(queue, worker string, handlers map[string]Handler) error {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return Worker{Addr: srv.Addr(), Queue: queue, Name: worker, Handlers: handlers, Options: Options{Heartbeat: testBeat}}.Run(wctx)
	}
	start := func(w Worker) error {
		c, err := w.Start(ctx, nil)
		if err == nil {
			c.Wait()
		}
		return err
	}
	_, waitErr := q.Wait(ctx, "999")
	wrongPassword := "redis://:0123456789abcdef@" + srv.Where() + "/0"
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"empty queue name", open(srv.Addr(), "", Options{}), "the queue name is empty"},
		{"queue name with a space", open(srv.Addr(), "my queue", Options{}), `the queue name "my queue": use 1 to 100 letters`},
		{"no address", open("", "q", Options{}), "no Redis address"},
		{"unreachable address", open("127.0.0.1:1", "q", Options{}), "cannot reach Redis at 127.0.0.1:1"},
		{"no password", open(srv.Where(), "q", Options{}), "cannot reach Redis at " + srv.Where() + ": NOAUTH"},
		{"a wrong password", open(wrongPassword, "q", Options{}), "cannot reach Redis at redis://:xxxxx@" + srv.Where() + "/0: WRONGPASS"},
		{"short heartbeat", open(srv.Addr(), "q", Options{Heartbeat: time.Millisecond}), "too short"},
		{"negative attempts", open(srv.Addr(), "q", Options{MaxAttempts: -1}), "MaxAttempts is -1"},
		{"unencodable argument", enqueue("square", make(chan int)), "the argument of square cannot be encoded as JSON"},
		{"no function name", enqueue("", 1), "the function name is empty"},
		{"unknown job", waitErr, `no job "999" in queue "bad"`},
		{"empty worker name", work("bad", "", testHandlers), "the worker name is empty"},
		{"no handlers", work("bad", "w", nil), "worker w has no handlers"},
		{"a live worker's name", work("bad", "taken", testHandlers), "a worker named taken is already running on queue bad"},
		{"Start without a queue", start(Worker{Addr: srv.Addr(), Name: "w1"}), "the queue name is empty"},
		{"Start without a name", start(Worker{Addr: srv.Addr(), Queue: "bad"}), "the worker name is empty"},
		{"Start without an address", start(Worker{Queue: "bad", Name: "w1"}), "no Redis address"},
	}
	for _, tt := range tests {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, tt.err, tt.want)
		}
		if tt.err != nil && strings.Contains(tt.err.Error(), "0123456789abcdef") {
			t.Errorf("%s: error %q shows the password", tt.name, tt.err)
		}
	}
}

// TestWorkerProcessGetsTheSecret: on either server, which asks for a
// password, a worker process connects and runs a job; the address, password
// and all, reached it in its environment, and its command line has no
// secret in it.
func TestWorkerProcessGetsTheSecret(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			srv := startServer(t, k.embedded)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			q := openQueue(t, ctx, srv, "secret", Options{Heartbeat: testBeat})
			w := workers(t, q, Worker{Addr: srv.Addr()}, "w1")[0]
			id, err := q.Enqueue(ctx, "getenv", AddrEnv)
			if err != nil {
				t.Fatal(err)
			}
			got, err := q.Wait(ctx, id)
			if err != nil || got[0].State != StateFinished {
				t.Fatalf("getenv(%s) in the worker: %+v, %v", AddrEnv, got, err)
			}
			var addr string
			if err := json.Unmarshal(got[0].Result, &addr); err != nil || addr != srv.Addr() {
				t.Errorf("the worker's %s is %s (%v), want the server's address", AddrEnv, quietredis.Redact(addr), err)
			}
			u, err := url.Parse(srv.Addr())
			if err != nil {
				t.Fatal(err)
			}
			password, _ := u.User.Password()
			if runtime.GOOS == "linux" {
				cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", w.PID))
				if err != nil {
					t.Fatal(err)
				}
				if password == "" || strings.Contains(string(cmdline), password) {
					t.Errorf("password %q, worker's command line %q: want a password, not on the command line", password, cmdline)
				}
			}
		})
	}
}

// TestWaitCancelled: Wait returns the jobs as last seen when ctx ends.
func TestWaitCancelled(t *testing.T) {
	srv := startServer(t, true)
	q, err := Open(context.Background(), srv.Addr(), "nobody", Options{Heartbeat: testBeat})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	id, err := q.Enqueue(context.Background(), "square", 3)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	got, err := q.Wait(ctx, id)
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") || len(got) != 1 || got[0].State != StateQueued {
		t.Errorf("Wait with no worker: %+v, %v", got, err)
	}
}

// TestNothingLeft: an in-process worker and a queue, closed, leave no
// goroutine behind.
func TestNothingLeft(t *testing.T) {
	srv := startServer(t, true)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	q, err := Open(ctx, srv.Addr(), "tidy", Options{Heartbeat: testBeat})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		errc <- Worker{Addr: srv.Addr(), Queue: q.Name(), Name: "w", Handlers: testHandlers, Options: Options{Heartbeat: testBeat}}.Run(ctx)
	}()
	id, _ := q.Enqueue(ctx, "square", 2)
	if _, err := q.Wait(ctx, id); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	q.Close()
	leakcheck.Goroutines(t, before)
}

// syncBuffer is a bytes.Buffer that goroutines may write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestInterruptStopsAll: a cell interrupted cancels one context, which
// kills the server and stops the worker at once: the worker returns soon,
// without an error.
func TestInterruptStopsAll(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			startServer(t, k.embedded) // skips the real server where there is none
			ctx, cancel := context.WithCancel(context.Background())
			srv, err := redisd.Start(ctx, redisd.Options{Embedded: k.embedded})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			q := openQueue(t, ctx, srv, "cell", Options{Heartbeat: testBeat})
			errc := make(chan error, 1)
			go func() {
				errc <- Worker{Addr: srv.Addr(), Queue: q.Name(), Name: "w", Handlers: testHandlers, Options: Options{Heartbeat: testBeat}}.Run(ctx)
			}()
			id, _ := q.Enqueue(ctx, "sleep", 5000)
			waitFor(t, 10*time.Second, "the job to start", func() bool { j, err := q.Job(ctx, id); return err == nil && j.State == StateStarted })
			start := time.Now()
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the worker still runs 5 s after the cell's context was cancelled")
			}
			t.Logf("the worker stopped %v after the cancel", time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestWorkerEnv: a worker process gets Worker.Env in its environment,
// and this process's environment is left alone. Env cannot redirect the
// worker: the variables Start sets for it come last.
func TestWorkerEnv(t *testing.T) {
	const dish = "COURSE_JOBS_TEST_DISH"
	srv := startServer(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := openQueue(t, ctx, srv, "env", Options{Heartbeat: testBeat})
	workers(t, q, Worker{Addr: srv.Addr(), Env: []string{dish + "=soup", AddrEnv + "=127.0.0.1:1"}}, "w1")
	id, err := q.Enqueue(ctx, "getenv", dish)
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.Wait(ctx, id)
	if err != nil || got[0].State != StateFinished || string(got[0].Result) != `"soup"` {
		t.Errorf("getenv(%s) in the worker: %+v, %v", dish, got, err)
	}
	if v, ok := os.LookupEnv(dish); ok {
		t.Errorf("this process has %s=%s", dish, v)
	}
}

func TestTyped(t *testing.T) {
	half := Typed(func(_ context.Context, n int) (float64, error) {
		if n < 0 {
			return 0, errors.New("no negative dishes")
		}
		return float64(n) / 2, nil
	})
	tests := []struct {
		arg  string
		want any
		err  string // a part of the error; "" for none
	}{
		{"7", 3.5, ""},
		{"-1", nil, "no negative dishes"},
		{`"seven"`, nil, `decoding the argument "seven": json: cannot unmarshal string`},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, err := half(context.Background(), json.RawMessage(tt.arg))
			if tt.err == "" && (err != nil || got != tt.want) {
				t.Errorf("half(%s) = %v, %v; want %v", tt.arg, got, err, tt.want)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("half(%s) = %v, %v; want an error with %q", tt.arg, got, err, tt.err)
			}
		})
	}
}

// TestFields: a job's hash goes to Redis and back whole, times included,
// and a zero field is not written.
func TestFields(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			srv := startServer(t, k.embedded)
			ctx := context.Background()
			q := openQueue(t, ctx, srv, "fields", Options{})
			start := time.Date(2016, 7, 17, 9, 30, 0, 123456789, time.FixedZone("CEST", 2*3600))
			in := jobstore.Fields{Func: "count_words", Arg: []byte("2016"), State: string(StateFailed), Error: "the oven is cold",
				Worker: "w2", Attempts: 2, MaxAttempts: 3, Lost: "w1", Enqueued: start, Started: start.Add(time.Second), Ended: start.Add(2 * time.Second)}
			if err := q.s.RDB.HSet(ctx, q.s.JobKey("1"), in).Err(); err != nil {
				t.Fatal(err)
			}
			var out jobstore.Fields
			if err := q.s.RDB.HGetAll(ctx, q.s.JobKey("1")).Scan(&out); err != nil {
				t.Fatal(err)
			}
			got, want := job("1", out), job("1", in)
			for _, ts := range [][2]*time.Time{{&got.Enqueued, &want.Enqueued}, {&got.Started, &want.Started}, {&got.Ended, &want.Ended}} {
				if !ts[0].Equal(*ts[1]) {
					t.Errorf("time %v read back as %v", *ts[1], *ts[0])
				}
				*ts[0], *ts[1] = time.Time{}, time.Time{} // compared: the zones differ
			}
			if !reflect.DeepEqual(got, want) || got.Result != nil {
				t.Errorf("read back %+v, wrote %+v", got, want)
			}
			if has := q.s.RDB.HExists(ctx, q.s.JobKey("1"), "result").Val(); has {
				t.Error("an empty result was written")
			}
		})
	}
}
