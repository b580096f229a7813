package proc

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

	"github.com/concurrency-kitchen/course/helpers/timing"
)

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
)

func newPool(t testing.TB, ctx context.Context, opts PoolOptions) *Pool {
	t.Helper()
	p, err := NewPool(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestMapIsOrdered(t *testing.T) {
	p := newPool(t, context.Background(), PoolOptions{Workers: 3})
	args := make([]int, 50)
	for i := range args {
		args[i] = i
	}
	for _, chunk := range []int{0, 1, 7, 100} {
		got, err := Map(p, square, args, chunk)
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
	p := newPool(t, context.Background(), PoolOptions{Workers: 2})
	var fs []*Future[int]
	for i := range 10 {
		fs = append(fs, Submit(p, square, i))
	}
	for i, f := range fs {
		if r, err := f.Wait(); err != nil || r != i*i {
			t.Errorf("future %d = %d, %v", i, r, err)
		}
	}
}

func TestCrashFailsOnlyItsTask(t *testing.T) {
	p := newPool(t, context.Background(), PoolOptions{Workers: 2})
	args := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	got, err := Map(p, crashy, args, 1)
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
	again, err := Map(p, square, []int{1, 2, 3, 4, 5, 6}, 1)
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
	p := newPool(t, context.Background(), PoolOptions{Workers: 1, MaxMessage: 1 << 20})
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"unknown function", func() error {
			_, err := Map(p, &Fn[int, int]{name: "no-such"}, []int{1}, 1)
			return err
		}, `no function named "no-such"`},
		{"argument that cannot be encoded", func() error {
			_, err := Map(p, unencodable, []struct{ C chan int }{{}}, 1)
			return err
		}, "cannot be encoded"},
		{"result too big", func() error {
			_, err := Map(p, grow, []int{2 << 20}, 1)
			return err
		}, "over the limit"},
		{"arguments too big", func() error {
			_, err := Map(p, echo, [][]byte{make([]byte, 2<<20)}, 1)
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
	if got, err := Map(p, square, []int{4}, 1); err != nil || got[0] != 16 {
		t.Errorf("after bad input: %v, %v", got, err)
	}
}

func TestTenMegabytesBothWays(t *testing.T) {
	p := newPool(t, context.Background(), PoolOptions{Workers: 1})
	in := bytes.Repeat([]byte("kitchen!"), 10<<20/8)
	got, err := Map(p, echo, [][]byte{in}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0]) != len(in) || got[0][0] != 'k'^0xff || got[0][len(in)-1] != '!'^0xff {
		t.Errorf("10 MB came back as %d bytes", len(got[0]))
	}
}

func TestCancelKillsEveryWorker(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := newPool(t, ctx, PoolOptions{Workers: 2})
	done := make(chan error, 1)
	go func() {
		_, err := Map(p, nap, []time.Duration{time.Hour, time.Hour, time.Hour}, 1)
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
	p := newPool(t, context.Background(), PoolOptions{Workers: 1})
	got, err := Map(p, peek, []int{0}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got[0][0] != "" || got[0][1] != "" || got[0][2] != "0 <nil>" {
		t.Errorf("a worker saw GONB_PIPE=%q GONB_PIPE_BACK=%q, stdin gave %q", got[0][0], got[0][1], got[0][2])
	}
}

func TestClosedPool(t *testing.T) {
	p := newPool(t, context.Background(), PoolOptions{Workers: 1})
	p.Close()
	if _, err := Submit(p, square, 2).Wait(); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Submit on a closed pool: %v", err)
	}
}

func TestTimelineLabels(t *testing.T) {
	tl := timing.NewTimeline()
	p := newPool(t, context.Background(), PoolOptions{Workers: 1, Timeline: tl})
	if _, err := Map(p, square, []int{7}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := Map(p, echo, [][]byte{make([]byte, 100)}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := Map(p, square, []int{1, 2, 3}, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := Submit(p, square, 9).Wait(); err != nil {
		t.Fatal(err)
	}
	var tasks []string
	for _, s := range tl.Spans() {
		if s.Lane == "worker 1" && s.Task != StartupTask {
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
	newPool(t, context.Background(), PoolOptions{Workers: 4, Timeline: tl})
	var startups []timing.Span
	for _, s := range tl.Spans() {
		if s.Task == StartupTask {
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
