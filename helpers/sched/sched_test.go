package sched

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	rtrace "runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/load"
	"github.com/concurrency-kitchen/course/helpers/timing"
	"golang.org/x/exp/trace"
)

// sink keeps the spin loops' results, so that the compiler keeps the loops.
var sink [8]int

// spin is a call-free loop: nothing in it lets the goroutine stop on its
// own, so only an asynchronous preemption can take its P away.
func spin(slot, n int) {
	x := 0
	for j := 0; j < n; j++ {
		x += j * j
	}
	sink[slot] = x
}

// spinFor is how many iterations of spin last about d on this machine:
// the fastest of five probes, since a busy machine only ever slows one
// down (and a slowed probe would make every loop too short).
func spinFor(d time.Duration) int {
	const probe = 5_000_000
	el := time.Hour
	for range 5 {
		start := time.Now()
		spin(7, probe)
		el = min(el, max(time.Since(start), time.Microsecond))
	}
	return max(probe, int(float64(probe)*float64(d)/float64(el)))
}

// cpuBound starts n goroutines on lanes "cook 1".."cook n", each spinning
// for about d, and waits for them.
func cpuBound(tl *timing.Timeline, n int, d time.Duration) func() {
	iters := spinFor(d)
	return func() {
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				defer tl.Track(fmt.Sprintf("cook %d", i+1), "spin")()
				spin(i, iters)
			})
		}
		wg.Wait()
	}
}

// dinner starts three goroutines that each sleep on a timer three times,
// doing next to nothing in between: the course's goroutine dinner.
func dinner(tl *timing.Timeline, nap time.Duration) func() {
	return func() {
		var wg sync.WaitGroup
		for _, dish := range []string{"pasta", "meatballs", "salad"} {
			wg.Go(func() {
				for step := range 3 {
					end := tl.Track(dish, fmt.Sprint("step ", step+1))
					time.Sleep(nap)
					end()
				}
			})
		}
		wg.Wait()
	}
}

func TestProcsUsed(t *testing.T) {
	tests := []struct {
		gomaxprocs int
		wantProcs  int
	}{
		{1, 1},
		{2, 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("GOMAXPROCS=", tt.gomaxprocs), func(t *testing.T) {
			if runtime.NumCPU() < tt.gomaxprocs {
				t.Skipf("this machine has %d CPU(s): %d goroutines cannot run on %d Ps at once", runtime.NumCPU(), tt.gomaxprocs, tt.gomaxprocs)
			}
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(tt.gomaxprocs))
			tl := timing.NewTimeline()
			r, err := Trace(tl, cpuBound(tl, 2, 60*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			s := r.Summary()
			if s.GOMAXPROCS != tt.gomaxprocs || s.Goroutines != 2 || s.ProcsUsed != tt.wantProcs {
				t.Errorf("Summary() = %+v, want gomaxprocs %d, 2 goroutines on %d Ps", s, tt.gomaxprocs, tt.wantProcs)
			}
			if got := r.Lanes(); len(got) != 2 || got[0] == got[1] {
				t.Errorf("Lanes() = %q, want the two cooks", got)
			}
			if tt.gomaxprocs == 1 && r.Overlap() != 0 {
				t.Errorf("Overlap() = %v on one P, want 0", r.Overlap())
			}
			// The trace's clock is the timeline's: each goroutine ran
			// across its span.
			const slack = time.Millisecond
			for _, sp := range tl.Spans() {
				g := r.Lane(sp.Lane)
				if len(g) != 1 || len(g[0].Slices) == 0 {
					t.Fatalf("lane %q: %d goroutines, want 1 that ran", sp.Lane, len(g))
				}
				first, last := g[0].Slices[0], g[0].Slices[len(g[0].Slices)-1]
				if sp.Start < first.Start-slack || sp.End > last.End+slack {
					t.Errorf("lane %q: span %v..%v, but the goroutine ran %v..%v", sp.Lane, sp.Start, sp.End, first.Start, last.End)
				}
			}
		})
	}
}

func TestDinnerTakesTurns(t *testing.T) {
	tl := timing.NewTimeline()
	nap := 20 * time.Millisecond
	r, err := Trace(tl, dinner(tl, nap))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Lanes(); len(got) != 3 {
		t.Fatalf("Lanes() = %q, want the three dishes", got)
	}
	for _, g := range r.Goroutines {
		sleeps := 0
		for _, b := range g.Blocks {
			if b.Reason == "sleep" {
				sleeps++
			}
		}
		if sleeps != 3 {
			t.Errorf("%s: %d sleeps in %+v, want 3", g.Lane, sleeps, g.Blocks)
		}
		// Each ran for microseconds between naps of milliseconds. The
		// median stretch, not the total: a busy machine can take a core
		// from a thread while its goroutine runs, and the trace counts that
		// as running (seen: one stretch of 21 ms under a parallel build).
		var ds []time.Duration
		for _, sl := range g.Slices {
			ds = append(ds, sl.Duration())
		}
		slices.Sort(ds)
		if med := ds[len(ds)/2]; med > nap/10 {
			t.Errorf("%s: median stretch %v of %v, want well under its naps (%v each)", g.Lane, med, ds, nap)
		}
	}
	// Three timers fire at once, so on two Ps two goroutines may run
	// together for a few microseconds; a thread the OS deschedules meanwhile
	// stretches that. Less than one nap either way, whereas CPU-bound
	// goroutines on two Ps overlap for most of the run (TestOverlapCanFail).
	t.Logf("overlap %v; %+v", r.Overlap(), r.Summary())
	if ov := r.Overlap(); ov > nap {
		t.Errorf("Overlap() = %v, want under %v: sleeping goroutines barely run at the same moment", ov, nap)
	}
}

// TestOverlapCanFail shows that the dinner's overlap check can fail: two
// CPU-bound goroutines on two Ps run at the same moment for a long time.
// That needs two cores free: when other programs keep them busy, the
// second P's thread waits for the OS and the two take turns, so the test
// tries three times and is not judged when every try was busy.
func TestOverlapCanFail(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("one CPU: goroutines cannot run at the same moment")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	quiet := false
	for range 3 {
		tl := timing.NewTimeline()
		var r *Run
		var err error
		others, lerr := load.Others(func() { r, err = Trace(tl, cpuBound(tl, 2, 200*time.Millisecond)) })
		if err != nil {
			t.Fatal(err)
		}
		// The dinner's bound (TestDinnerTakesTurns) is one nap, 20 ms.
		ov := r.Overlap()
		t.Logf("overlap %v, other programs %.1f cores busy; %+v", ov, others, r.Summary())
		if ov >= 20*time.Millisecond {
			return
		}
		quiet = quiet || (lerr == nil && others <= load.Busy)
	}
	if !quiet {
		t.Skip("other programs kept the cores busy on every try: two threads could not run at once (not judged)")
	}
	t.Error("two CPU-bound goroutines on 2 Ps overlapped under 20ms on every try, one of them on a quiet machine")
}

// childEnv makes the test binary run TestPreemptChild for real.
const childEnv = "SCHED_TEST_PREEMPT_CHILD"

func TestAsyncPreemption(t *testing.T) {
	tests := []struct {
		godebug   string
		wantAsync bool
	}{
		{"", true},
		{"asyncpreemptoff=1", false},
	}
	for _, tt := range tests {
		t.Run("GODEBUG="+tt.godebug, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestPreemptChild$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), childEnv+"=1", "GODEBUG="+tt.godebug)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			_, after, ok := strings.Cut(string(out), "async preemptions: ")
			if !ok {
				t.Fatalf("child printed no count:\n%s", out)
			}
			n, err := strconv.Atoi(strings.Fields(after)[0])
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("GODEBUG=%q: %d async preemptions", tt.godebug, n)
			if (n > 0) != tt.wantAsync {
				t.Errorf("%d async preemptions of a call-free loop with GODEBUG=%q, want some: %v", n, tt.godebug, tt.wantAsync)
			}
		})
	}
}

// TestPreemptChild runs a call-free loop at GOMAXPROCS=1 beside a
// goroutine that wants the P, and prints how often the loop was preempted
// asynchronously. It runs only in the child process of TestAsyncPreemption.
func TestPreemptChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("runs as TestAsyncPreemption's child")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	tl := timing.NewTimeline()
	iters := spinFor(80 * time.Millisecond)
	r, err := Trace(tl, func() {
		var wg sync.WaitGroup
		wg.Go(func() {
			defer tl.Track("loop", "spin")()
			spin(0, iters)
		})
		wg.Go(func() {
			defer tl.Track("other", "tick")()
			for range 4 {
				time.Sleep(5 * time.Millisecond)
			}
		})
		wg.Wait()
	})
	if err != nil {
		t.Fatal(err)
	}
	_, async := r.Preempted() // the sleeper is never preempted: these are the loop's
	fmt.Printf("async preemptions: %d\n", async)
}

func TestSaveOpens(t *testing.T) {
	r, err := Trace(nil, func() { time.Sleep(time.Millisecond) })
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "run.trace")
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if n, err := r.WriteTo(&buf); err != nil || n != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("WriteTo wrote %d bytes (%v), Save %d: want the same trace", n, err, len(data))
	}
	rd, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the saved trace does not read: %v", err)
	}
	if _, err := rd.ReadEvent(); err != nil {
		t.Fatalf("the saved trace has no event: %v", err)
	}
}

func TestTraceWhileTracing(t *testing.T) {
	if err := rtrace.Start(&bytes.Buffer{}); err != nil {
		t.Skip("a tracer already runs (go test -trace?)")
	}
	defer rtrace.Stop()
	ran := false
	if _, err := Trace(nil, func() { ran = true }); err == nil || ran {
		t.Errorf("Trace under another tracer: err %v, fn ran %v; want an error and fn not run", err, ran)
	}
}

func BenchmarkOverhead(b *testing.B) {
	for _, bm := range []struct {
		name string
		fn   func(tl *timing.Timeline) func()
	}{
		{"cpu", func(tl *timing.Timeline) func() { return cpuBound(tl, 2, 20*time.Millisecond) }},
		{"dinner", func(tl *timing.Timeline) func() { return dinner(tl, 5*time.Millisecond) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			tl := timing.NewTimeline()
			fn := bm.fn(tl)
			var plain, inside, whole time.Duration
			for b.Loop() {
				start := time.Now()
				fn()
				plain += time.Since(start)

				start = time.Now()
				var took time.Duration
				if _, err := Trace(tl, func() { s := time.Now(); fn(); took = time.Since(s) }); err != nil {
					b.Fatal(err)
				}
				whole += time.Since(start)
				inside += took
			}
			// traced/plain: fn's own time with the tracer on; call/plain:
			// the whole Trace call, with start, stop and reading the trace.
			b.ReportMetric(float64(inside)/float64(plain), "traced/plain")
			b.ReportMetric(float64(whole)/float64(plain), "call/plain")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// TestWokenBy checks who woke whom: a receiver blocked on a channel is
// woken by the sender, and a sleeper by no goroutine (its timer).
func TestWokenBy(t *testing.T) {
	tl := timing.NewTimeline()
	r, err := Trace(tl, func() {
		ch := make(chan int)
		var wg sync.WaitGroup
		wg.Go(func() {
			defer tl.Track("receiver", "receive")()
			<-ch
		})
		wg.Go(func() {
			defer tl.Track("sender", "send")()
			time.Sleep(5 * time.Millisecond)
			ch <- 1
		})
		wg.Wait()
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, snd := r.Lane("receiver"), r.Lane("sender")
	if len(rec) != 1 || len(snd) != 1 {
		t.Fatalf("lanes %q, want a receiver and a sender", r.Lanes())
	}
	tests := []struct {
		g      *Goroutine
		reason string
		want   int64
	}{
		{rec[0], "chan receive", snd[0].ID},
		{snd[0], "sleep", 0},
	}
	for _, tt := range tests {
		found := false
		for _, b := range tt.g.Blocks {
			if b.Reason == tt.reason {
				found = true
				if b.WokenBy != tt.want {
					t.Errorf("%s: %s block woken by %d, want %d", tt.g.Lane, tt.reason, b.WokenBy, tt.want)
				}
			}
		}
		if !found {
			t.Errorf("%s: no %q block in %+v", tt.g.Lane, tt.reason, tt.g.Blocks)
		}
	}
}
