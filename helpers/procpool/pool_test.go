package procpool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/concurrency-kitchen/course/helpers/internal/poolworker"
	"github.com/concurrency-kitchen/course/helpers/proc"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// The test binary is also the workers' program.
func TestMain(m *testing.M) {
	proc.Serve(nil)
	// Workers of a test binary built with -race sleep 1 s before they
	// exit (GORACE's atexit_sleep_ms), as long as a worker told to stop
	// has before it is killed: make them exit at once.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	os.Exit(m.Run())
}

// Functions the test binary's workers serve: Define at package level, so
// that the worker (this binary started again) has them too.
var (
	square = Define("square", func(_ context.Context, n int) (int, error) { return n * n, nil })
	crashy = Define("crashy", func(_ context.Context, n int) (int, error) {
		switch n {
		case 3:
			panic(fmt.Sprintf("cannot cook dish %d", n))
		case 5:
			fmt.Fprintln(os.Stderr, "leaving the kitchen")
			os.Exit(9)
		case 7:
			return 0, errors.New("seven is a plain error")
		}
		return n, nil
	})
	echo = Define("echo", func(_ context.Context, b []byte) ([]byte, error) {
		out := make([]byte, len(b))
		for i, c := range b {
			out[i] = c ^ 0xff
		}
		return out, nil
	})
	lengthOf = Define("length-of", func(_ context.Context, b []byte) (int, error) { return len(b), nil })
	grow     = Define("grow", func(_ context.Context, n int) ([]byte, error) { return make([]byte, n), nil })
	nap      = Define("nap", func(_ context.Context, d time.Duration) (int, error) { time.Sleep(d); return os.Getpid(), nil })
	peek     = Define("peek", func(_ context.Context, _ int) ([]string, error) {
		in, err := io.ReadAll(os.Stdin)
		return []string{os.Getenv("GONB_PIPE"), os.Getenv("GONB_PIPE_BACK"), fmt.Sprint(len(in), err)}, nil
	})
	unencodable = Define("unencodable", func(_ context.Context, c struct{ C chan int }) (int, error) { return 0, nil })
	// wait waits for d or for its context, whichever ends first.
	wait = Define("wait", func(ctx context.Context, d time.Duration) (int, error) {
		select {
		case <-time.After(d):
			return os.Getpid(), nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	})
	getenv = Define("getenv", func(_ context.Context, name string) (string, error) { return os.Getenv(name), nil })
)

func newPool(t testing.TB, ctx context.Context, opts Options) *Pool {
	t.Helper()
	p, err := New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestMapIsOrdered(t *testing.T) {
	p := newPool(t, context.Background(), Options{Workers: 3})
	args := make([]int, 50)
	for i := range args {
		args[i] = i
	}
	for _, chunk := range []int{0, 1, 7, 100} {
		got, err := Map(t.Context(), p, square, args, chunk)
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		for i, r := range got {
			if r != i*i {
				t.Fatalf("chunk %d: result %d is %d", chunk, i, r)
			}
		}
	}
	if n := len(p.PIDs()); n != 3 {
		t.Errorf("the pool started %d workers, want 3", n)
	}
}

func TestSubmit(t *testing.T) {
	p := newPool(t, context.Background(), Options{Workers: 2})
	var fs []*Future[int]
	for i := range 10 {
		fs = append(fs, Submit(t.Context(), p, square, i))
	}
	for i, f := range fs {
		if r, err := f.Wait(); err != nil || r != i*i {
			t.Errorf("future %d = %d, %v", i, r, err)
		}
	}
}

func TestCrashFailsOnlyItsTask(t *testing.T) {
	p := newPool(t, context.Background(), Options{Workers: 2})
	args := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	got, err := Map(t.Context(), p, crashy, args, 1)
	want := map[int][]string{
		3: {"worker", "exit status 2", "panic: cannot cook dish 3"},
		5: {"worker", "exit status 9", "leaving the kitchen"},
		7: {"seven is a plain error"},
	}
	failed := map[int]error{}
	for _, e := range unjoin(err) {
		var te *TaskError
		if !errors.As(e, &te) {
			t.Fatalf("error %v is not a TaskError", e)
		}
		failed[te.Index] = te.Err
	}
	for i := range args {
		words, shouldFail := want[i]
		if !shouldFail {
			if failed[i] != nil || got[i] != i {
				t.Errorf("task %d: %d, %v; want %d", i, got[i], failed[i], i)
			}
			continue
		}
		for _, w := range words {
			if failed[i] == nil || !strings.Contains(failed[i].Error(), w) {
				t.Errorf("task %d: error %v lacks %q", i, failed[i], w)
			}
		}
	}
	// The pool replaces crashed workers when it next needs them.
	again, err := Map(t.Context(), p, square, []int{1, 2, 3, 4, 5, 6}, 1)
	if err != nil || again[5] != 36 {
		t.Errorf("after two crashes the pool gave %v, %v", again, err)
	}
}

func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestBadInput(t *testing.T) {
	p := newPool(t, context.Background(), Options{Workers: 1, MaxMessage: 1 << 20})
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"unknown function", func() error {
			_, err := Map(t.Context(), p, &Task[int, int]{name: "no-such"}, []int{1}, 1)
			return err
		}, `no function named "no-such"`},
		{"argument that cannot be encoded", func() error {
			_, err := Map(t.Context(), p, unencodable, []struct{ C chan int }{{}}, 1)
			return err
		}, "cannot be encoded"},
		{"result too big", func() error {
			_, err := Map(t.Context(), p, grow, []int{2 << 20}, 1)
			return err
		}, "over the limit"},
		{"arguments too big", func() error {
			_, err := Map(t.Context(), p, echo, [][]byte{make([]byte, 2<<20)}, 1)
			return err
		}, "over the limit"},
	}
	for _, tt := range tests {
		done := make(chan error, 1)
		go func() { done <- tt.run() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: hung", tt.name)
		}
	}
	// The pool still works after all that.
	if got, err := Map(t.Context(), p, square, []int{4}, 1); err != nil || got[0] != 16 {
		t.Errorf("after bad input: %v, %v", got, err)
	}
}

func TestTenMegabytesBothWays(t *testing.T) {
	p := newPool(t, context.Background(), Options{Workers: 1})
	in := bytes.Repeat([]byte("kitchen!"), 10<<20/8)
	got, err := Map(t.Context(), p, echo, [][]byte{in}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0]) != len(in) || got[0][0] != 'k'^0xff || got[0][len(in)-1] != '!'^0xff {
		t.Errorf("10 MB came back as %d bytes", len(got[0]))
	}
}

func TestCancelKillsEveryWorker(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := newPool(t, ctx, Options{Workers: 2})
	done := make(chan error, 1)
	go func() {
		_, err := Map(t.Context(), p, nap, []time.Duration{time.Hour, time.Hour, time.Hour}, 1)
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a cancelled Map reported success")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Map did not return after cancel")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Map took %v to return after cancel", d)
	}
	p.Close()
	for _, pid := range p.PIDs() {
		if syscall.Kill(pid, 0) == nil {
			t.Errorf("worker %d is still alive", pid)
		}
	}
}

func TestWorkersAreIsolatedFromTheKernel(t *testing.T) {
	t.Setenv("GONB_PIPE", "/tmp/gonb-pipe")
	t.Setenv("GONB_PIPE_BACK", "/tmp/gonb-pipe-back")
	p := newPool(t, context.Background(), Options{Workers: 1})
	got, err := Map(t.Context(), p, peek, []int{0}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got[0][0] != "" || got[0][1] != "" || got[0][2] != "0 <nil>" {
		t.Errorf("a worker saw GONB_PIPE=%q GONB_PIPE_BACK=%q, stdin gave %q", got[0][0], got[0][1], got[0][2])
	}
}

func TestClosedPool(t *testing.T) {
	p := newPool(t, context.Background(), Options{Workers: 1})
	p.Close()
	if _, err := Submit(t.Context(), p, square, 2).Wait(); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Submit on a closed pool: %v", err)
	}
}

func TestTimelineLabels(t *testing.T) {
	tl := timing.NewTimeline()
	p := newPool(t, context.Background(), Options{Workers: 1, Timeline: tl})
	if _, err := Map(t.Context(), p, square, []int{7}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := Map(t.Context(), p, echo, [][]byte{make([]byte, 100)}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := Map(t.Context(), p, square, []int{1, 2, 3}, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := Submit(t.Context(), p, square, 9).Wait(); err != nil {
		t.Fatal(err)
	}
	var tasks []string
	for _, s := range tl.Spans() {
		if s.Lane == "worker 1" && s.Task != proc.StartupTask {
			tasks = append(tasks, s.Task)
		}
	}
	want := []string{"square(7)", "echo #0", "square #0-2", "square(9)"}
	if strings.Join(tasks, "|") != strings.Join(want, "|") {
		t.Errorf("task labels %q, want %q", tasks, want)
	}
}

// TestWorkersStartTogether: a pool's workers start at the same time, so
// their start-up spans overlap instead of following one another.
func TestWorkersStartTogether(t *testing.T) {
	tl := timing.NewTimeline()
	newPool(t, context.Background(), Options{Workers: 4, Timeline: tl})
	var startups []timing.Span
	for _, s := range tl.Spans() {
		if s.Task == proc.StartupTask {
			startups = append(startups, s)
		}
	}
	if len(startups) != 4 {
		t.Fatalf("%d start-up spans, want 4", len(startups))
	}
	// Spans are ordered by start: the last worker began before the first was ready.
	if last, first := startups[3], startups[0]; last.Start >= first.End {
		t.Errorf("the 4th worker started at %v, after the 1st was ready at %v: %v", last.Start, first.End, startups)
	}
}

func TestShortArg(t *testing.T) {
	tests := []struct {
		in   any
		want string
		ok   bool
	}{
		{41, "41", true},
		{uint64(7), "7", true},
		{true, "true", true},
		{"http://x/200", "http://x/200", true},
		{strings.Repeat("x", 25), "", false},
		{make([]byte, 1<<20), "", false},
		{struct{ A int }{1}, "", false},
	}
	for _, tt := range tests {
		if got, ok := shortArg(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("shortArg(%T) = %q, %v", tt.in, got, ok)
		}
	}
}

// within fails t when f takes longer than d; f runs in a goroutine, so a
// hang fails the test instead of blocking it.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: still running after %v", what, d)
	}
}

// TestCancelledCallLeavesThePool: a call whose context is cancelled
// returns at once, its running task sees its context cancelled in the
// worker, and the pool, with the same worker, takes the next call.
func TestCancelledCallLeavesThePool(t *testing.T) {
	tests := []struct {
		name string
		call func(ctx context.Context, p *Pool) error
	}{
		{"Map", func(ctx context.Context, p *Pool) error {
			_, err := Map(ctx, p, wait, []time.Duration{time.Hour, time.Hour, time.Hour}, 1)
			return err
		}},
		{"Map in one chunk", func(ctx context.Context, p *Pool) error {
			_, err := Map(ctx, p, wait, []time.Duration{time.Hour, time.Hour}, 2)
			return err
		}},
		{"Submit", func(ctx context.Context, p *Pool) error {
			_, err := Submit(ctx, p, wait, time.Hour).Wait()
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(t, context.Background(), Options{Workers: 1})
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(300*time.Millisecond, cancel)
			var err error
			within(t, 3*time.Second, "the cancelled call", func() { err = tt.call(ctx, p) })
			if !errors.Is(err, context.Canceled) {
				t.Errorf("the cancelled call: %v, want context.Canceled", err)
			}
			// The worker is free again only if its task saw the cancel.
			var got []int
			within(t, 3*time.Second, "the next call", func() { got, err = Map(t.Context(), p, square, []int{3}, 1) })
			if err != nil || got[0] != 9 {
				t.Errorf("the next call: %v, %v", got, err)
			}
			if n := len(p.PIDs()); n != 1 {
				t.Errorf("the pool started %d workers, want 1: a cancelled call killed its worker", n)
			}
			if err := p.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}

// TestCancelledCallBeforeItStarts: a call whose context is already done
// sends nothing.
func TestCancelledCallBeforeItStarts(t *testing.T) {
	tl := timing.NewTimeline()
	p := newPool(t, context.Background(), Options{Workers: 1, Timeline: tl})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Map(ctx, p, square, []int{1, 2}, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Map: %v, want context.Canceled", err)
	}
	if _, err := Submit(ctx, p, square, 3).Wait(); !errors.Is(err, context.Canceled) {
		t.Errorf("Submit: %v, want context.Canceled", err)
	}
	p.Close()
	for _, s := range tl.Spans() {
		if s.Task != proc.StartupTask {
			t.Errorf("a task ran: %v", s)
		}
	}
}

// TestPoolCancelReachesTasks: when the pool's context is done, a task
// that watches its context ends, and the worker answers before it exits.
func TestPoolCancelReachesTasks(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := newPool(t, ctx, Options{Workers: 1})
	time.AfterFunc(300*time.Millisecond, cancel)
	var err error
	within(t, 3*time.Second, "Map", func() { _, err = Map(t.Context(), p, wait, []time.Duration{time.Hour}, 1) })
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "stopped") {
		t.Errorf("Map: %v, want the task's own context.Canceled", err)
	}
	if err := p.Close(); !errors.Is(err, context.Canceled) {
		t.Errorf("Close after the pool's context is done: %v, want context.Canceled", err)
	}
}

// waitExit waits until the process pid has exited (it may not be reaped).
func waitExit(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		// The state follows the name, which is in parentheses.
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d has not exited", pid)
}

func TestCloseReportsBadExits(t *testing.T) {
	tests := []struct {
		name   string
		before func(t *testing.T, p *Pool, cancel context.CancelFunc)
		want   string // in Close's error; "" for none
	}{
		{"clean", func(*testing.T, *Pool, context.CancelFunc) {}, ""},
		{"a worker killed", func(_ *testing.T, p *Pool, _ context.CancelFunc) {
			syscall.Kill(p.PIDs()[1], syscall.SIGKILL)
		}, "failed: signal: killed"},
		{"the pool's context done", func(t *testing.T, p *Pool, cancel context.CancelFunc) {
			cancel()
			for _, pid := range p.PIDs() {
				waitExit(t, pid) // told to stop, before Close ends the workers itself
			}
		}, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p := newPool(t, ctx, Options{Workers: 2})
			tt.before(t, p, cancel)
			err := p.Close()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Close: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Close: %v, want an error saying %q", err, tt.want)
			}
			if again := p.Close(); again != err {
				t.Errorf("a second Close gave %v, the first %v", again, err)
			}
			for _, pid := range p.PIDs() {
				if !leakcheck.Gone(pid) {
					t.Errorf("worker %d is still alive", pid)
				}
			}
		})
	}
}

func TestEnv(t *testing.T) {
	const name = "PROCPOOL_TEST_GREETING"
	p := newPool(t, context.Background(), Options{Workers: 1, Env: []string{name + "=hello"}})
	got, err := Map(t.Context(), p, getenv, []string{name}, 1)
	if err != nil || got[0] != "hello" {
		t.Errorf("the worker saw %s=%q, %v; want hello", name, got, err)
	}
	if v, ok := os.LookupEnv(name); ok {
		t.Errorf("the parent has %s=%q", name, v)
	}
}

// TestDefineIntoAFreshRegistry: define writes to the registry it is
// given, whose handlers encode and decode with gob.
func TestDefineIntoAFreshRegistry(t *testing.T) {
	var reg poolworker.Registry
	double := define(&reg, "double", func(_ context.Context, n int) (int, error) { return 2 * n, nil })
	if names := reg.Names(); len(names) != 1 || names[0] != "double" {
		t.Errorf("the fresh registry has %q", names)
	}
	if _, ok := poolworker.Tasks.Lookup("double"); ok {
		t.Error("define into a fresh registry wrote to the default one")
	}
	h, _ := reg.Lookup("double")
	arg, _ := encode(21)
	res, err := h(t.Context(), arg)
	var got int
	if err != nil || decode(res, &got) != nil || got != 42 {
		t.Errorf("the handler gave %d, %v; want 42", got, err)
	}
	if _, err := h(t.Context(), []byte("not gob")); err == nil || !strings.Contains(err.Error(), "decoding the argument of double") {
		t.Errorf("a bad argument: %v", err)
	}
	if r, err := double.Call(t.Context(), 5); err != nil || r != 10 || double.Name() != "double" {
		t.Errorf("Call = %d, %v; Name = %q", r, err, double.Name())
	}
}
