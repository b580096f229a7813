package asynqrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/concurrency-kitchen/course/helpers/redisd"
	"github.com/hibiken/asynq"
)

func TestOpt(t *testing.T) {
	tests := []struct {
		addr    string
		want    asynq.RedisClientOpt
		wantErr string
	}{
		{"unix://:pw@/tmp/course-redis-1/redis.sock", asynq.RedisClientOpt{Network: "unix", Addr: "/tmp/course-redis-1/redis.sock", Password: "pw"}, ""},
		{"redis://:pw@127.0.0.1:6379/0", asynq.RedisClientOpt{Network: "tcp", Addr: "127.0.0.1:6379", Password: "pw"}, ""},
		{"redis://:pw@127.0.0.1:6379/2", asynq.RedisClientOpt{Network: "tcp", Addr: "127.0.0.1:6379", Password: "pw", DB: 2}, ""},
		{"redis://127.0.0.1:6379", asynq.RedisClientOpt{Network: "tcp", Addr: "127.0.0.1:6379"}, ""},
		{"unix://:pw@", asynq.RedisClientOpt{}, "no socket path"},
		{"redis://:pw@/0", asynq.RedisClientOpt{}, "no host:port"},
		{"redis://:pw@127.0.0.1:6379/x", asynq.RedisClientOpt{}, "not a number"},
		{"http://:secret@example.com", asynq.RedisClientOpt{}, `scheme is "http"`},
		{"redis://:secret@127.0.0.1:6379/%zz", asynq.RedisClientOpt{}, "not a URL"},
	}
	for _, tt := range tests {
		got, err := Opt(tt.addr)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Opt(%q) error = %v, want one saying %q", tt.addr, err, tt.wantErr)
			} else if strings.Contains(err.Error(), "secret") {
				t.Errorf("Opt(%q) error shows the password: %v", tt.addr, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Opt(%q) = %+v, %v; want %+v", tt.addr, got, err, tt.want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(AddrEnv, "")
	for _, kv := range Env("unix://:pw@/tmp/x/redis.sock", "worker-1") {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	opt, name, err := FromEnv()
	if err != nil || name != "worker-1" || opt.Network != "unix" || opt.Addr != "/tmp/x/redis.sock" || opt.Password != "pw" {
		t.Errorf("FromEnv() = %+v, %q, %v", opt, name, err)
	}
}

// servers are the two Redis servers redisd gives: every test runs on both.
var servers = []struct {
	name string
	opts redisd.Options
}{
	{"redis-server", redisd.Options{}},
	{"embedded", redisd.Options{Embedded: true}},
}

// startRedis starts a server of redisd, skipping the real one where there is none.
func startRedis(t *testing.T, opts redisd.Options) asynq.RedisClientOpt {
	t.Helper()
	if !opts.Embedded {
		if _, err := redisd.Find(); err != nil {
			t.Skipf("%v: the real-server case is skipped", err)
		}
	}
	s, err := redisd.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if s.Embedded() != opts.Embedded {
		t.Fatalf("asked for embedded=%v, got %s", opts.Embedded, s.Kind())
	}
	opt, err := Opt(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

// startWorker starts an asynq server that runs the "square" and "sleep" tasks,
// one at a time, recording its name in each result.
// clients returns an inspector and a client of opt's server, both closed when the test ends.
func clients(t *testing.T, opt asynq.RedisClientOpt) (*asynq.Inspector, *asynq.Client) {
	t.Helper()
	insp, client := asynq.NewInspector(opt), asynq.NewClient(opt)
	t.Cleanup(func() { client.Close(); insp.Close() })
	return insp, client
}

func startWorker(t *testing.T, opt asynq.RedisClientOpt, name string) {
	t.Helper()
	mux := asynq.NewServeMux()
	mux.HandleFunc("square", func(ctx context.Context, task *asynq.Task) error {
		var n int
		if err := json.Unmarshal(task.Payload(), &n); err != nil {
			return err
		}
		time.Sleep(50 * time.Millisecond)
		_, err := fmt.Fprintf(task.ResultWriter(), "%d %s", n*n, name)
		return err
	})
	mux.HandleFunc("sleep", func(ctx context.Context, task *asynq.Task) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(3 * time.Second):
			return nil
		}
	})
	srv := asynq.NewServer(opt, Config(1))
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
}

// TestTwoWorkers: four tasks on two servers, on both Redis servers: every
// result comes back, both servers take tasks, and the run takes two tasks'
// time, not four.
func TestTwoWorkers(t *testing.T) {
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			t.Cleanup(func() { leakcheck.Goroutines(t, before) })
			opt := startRedis(t, s.opts)
			insp, client := clients(t, opt)
			startWorker(t, opt, "w1")
			startWorker(t, opt, "w2")
			ctx := context.Background()
			if err := WaitServers(ctx, insp, 2); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			var ids []string
			for n := 1; n <= 4; n++ {
				arg, _ := json.Marshal(n)
				info, err := client.EnqueueContext(ctx, asynq.NewTask("square", arg), asynq.Retention(time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, info.ID)
			}
			infos, err := Wait(ctx, insp, "default", ids...)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			by := map[string]int{}
			for i, info := range infos {
				var sq int
				var who string
				fmt.Sscan(string(info.Result), &sq, &who)
				if info.State != asynq.TaskStateCompleted || sq != (i+1)*(i+1) {
					t.Errorf("task %d: %v, result %q", i+1, info.State, info.Result)
				}
				by[who]++
			}
			if by["w1"] == 0 || by["w2"] == 0 {
				t.Errorf("tasks by worker: %v, want both", by)
			}
			if took < 100*time.Millisecond || took > 500*time.Millisecond {
				t.Errorf("four 50 ms tasks on two workers took %v, want about 100 ms", took)
			}
			t.Logf("%s: four 50 ms tasks on two workers: %v", s.name, took)
		})
	}
}

// TestTimeoutAndLease: a running task has a lease of asynq's 30 s; a task
// whose timeout (in whole seconds: asynq keeps no less) runs out fails
// with the deadline, and with no retry left it is archived.
func TestTimeoutAndLease(t *testing.T) {
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			opt := startRedis(t, s.opts)
			insp, client := clients(t, opt)
			startWorker(t, opt, "w1")
			ctx := context.Background()
			start := time.Now()
			info, err := client.EnqueueContext(ctx, asynq.NewTask("sleep", nil), asynq.Timeout(time.Second), asynq.MaxRetry(0))
			if err != nil {
				t.Fatal(err)
			}
			var leases map[string]time.Time
			for len(leases) == 0 && time.Since(start) < time.Second {
				time.Sleep(Poll)
				if leases, err = Leases(ctx, opt, "default"); err != nil {
					t.Fatal(err)
				}
			}
			if left := time.Until(leases[info.ID]); left < 28*time.Second || left > 31*time.Second {
				t.Errorf("the running task's lease ends in %v, want about 30 s (leases %v)", left, leases)
			}
			infos, err := Wait(ctx, insp, "default", info.ID)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			got := infos[0]
			if got.State != asynq.TaskStateArchived || !strings.Contains(got.LastErr, "deadline exceeded") {
				t.Errorf("the timed-out task: %v, %q; want archived with the deadline", got.State, got.LastErr)
			}
			if took < time.Second || took > 1500*time.Millisecond {
				t.Errorf("the 1 s timeout ended the task after %v", took)
			}
		})
	}
}

// TestWaitErrors: a task kept without Retention is gone once done, and
// Wait says how to keep it; a done context ends Wait.
func TestWaitErrors(t *testing.T) {
	opt := startRedis(t, redisd.Options{Embedded: true})
	insp, client := clients(t, opt)

	info, err := client.Enqueue(asynq.NewTask("square", []byte("2")))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	infos, err := Wait(ctx, insp, "default", info.ID) // no worker: it stays pending
	if !errors.Is(err, context.DeadlineExceeded) || infos[0] == nil || infos[0].State != asynq.TaskStatePending {
		t.Errorf("Wait with no worker = %v, %v; want the pending task and the deadline", infos, err)
	}
	if err := WaitServers(ctx, insp, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitServers with no server = %v, want the deadline", err)
	}

	startWorker(t, opt, "w1")
	_, err = Wait(context.Background(), insp, "default", info.ID)
	if err == nil || !strings.Contains(err.Error(), "Retention") {
		t.Errorf("Wait for a task done without Retention = %v, want an error naming Retention", err)
	}
}

// TestCancel: Inspector.CancelProcessing reaches the worker through Redis
// on both servers, and cancels the handler's context; with no retry left
// the task is archived with the cancellation as its last error.
func TestCancel(t *testing.T) {
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			opt := startRedis(t, s.opts)
			insp, client := clients(t, opt)
			startWorker(t, opt, "w1")
			ctx := context.Background()
			info, err := client.EnqueueContext(ctx, asynq.NewTask("sleep", nil), asynq.MaxRetry(0))
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // the task is running
			start := time.Now()
			if err := insp.CancelProcessing(info.ID); err != nil {
				t.Fatal(err)
			}
			infos, err := Wait(ctx, insp, "default", info.ID)
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 300*time.Millisecond {
				t.Errorf("the cancel took %v to end the task", took)
			}
			if got := infos[0]; got.State != asynq.TaskStateArchived || !strings.Contains(got.LastErr, "context canceled") {
				t.Errorf("the cancelled task: %v, %q; want archived, context canceled", got.State, got.LastErr)
			}
		})
	}
}

// TestSubSecondTimeout: asynq keeps a task's timeout in whole seconds, so
// a timeout under a second is none at all (the server then uses its
// default of 30 minutes): what the lesson tells its learners.
func TestSubSecondTimeout(t *testing.T) {
	opt := startRedis(t, redisd.Options{Embedded: true})
	client := asynq.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	for _, tt := range []struct {
		timeout, want time.Duration
	}{{300 * time.Millisecond, 0}, {1500 * time.Millisecond, time.Second}, {2 * time.Second, 2 * time.Second}} {
		info, err := client.Enqueue(asynq.NewTask("sleep", nil), asynq.Timeout(tt.timeout))
		if err != nil {
			t.Fatal(err)
		}
		if info.Timeout != tt.want {
			t.Errorf("asynq.Timeout(%v) is kept as %v, want %v", tt.timeout, info.Timeout, tt.want)
		}
	}
}

func TestResults(t *testing.T) {
	info := func(payload, result string) *asynq.TaskInfo {
		return &asynq.TaskInfo{ID: "t", Payload: []byte(payload), Result: []byte(result)}
	}
	type res struct{ Words int }
	tests := []struct {
		name    string
		infos   []*asynq.TaskInfo
		want    []int // payloads, then results' words
		wantErr string
	}{
		{"completed", []*asynq.TaskInfo{info("2016", `{"Words":3794}`), info("2017", `{"Words":4123}`)}, []int{2016, 2017, 3794, 4123}, ""},
		{"no result", []*asynq.TaskInfo{info("2019", "")}, []int{2019, 0}, ""},
		{"bad payload", []*asynq.TaskInfo{info("x", "")}, nil, "payload of task t"},
		{"bad result", []*asynq.TaskInfo{info("2016", "[")}, nil, "result of task t"},
		{"never read", []*asynq.TaskInfo{nil}, nil, "never read"},
	}
	for _, tt := range tests {
		got, err := Results[int, res](tt.infos)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		var flat []int
		for _, g := range got {
			flat = append(flat, g.Payload)
		}
		for _, g := range got {
			flat = append(flat, g.Result.Words)
		}
		if fmt.Sprint(flat) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, flat, tt.want)
		}
	}
}

// TestStoppedServer: when Redis has stopped (an interrupted cell), Wait
// and WaitServers return as soon as their context is done, though each
// call of asynq's Inspector then takes about two seconds to fail.
func TestStoppedServer(t *testing.T) {
	s, err := redisd.Start(context.Background(), redisd.Options{Embedded: true})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := Opt(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	s.Close()
	for _, tt := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Wait", func(ctx context.Context) error { _, err := Wait(ctx, insp, "default", "x"); return err }},
		{"WaitServers", func(ctx context.Context) error { return WaitServers(ctx, insp, 1) }},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		err := tt.call(ctx)
		cancel()
		if took := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || took > 300*time.Millisecond {
			t.Errorf("%s on a stopped server: %v after %v; want the deadline after 100 ms", tt.name, err, took)
		}
	}
}
