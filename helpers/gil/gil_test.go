package gil

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

// The seed's dinner with the blocking C sleep in the chop and the sear.
var dishes = map[string]func(*Thread){
	"pasta": func(t *Thread) {
		t.Sleep("boil water", 3)
		t.Sleep("cook pasta", 1)
	},
	"meatballs": func(t *Thread) {
		t.Sleep("preheat oven", 2)
		t.CSleep("sear meatballs", 1)
		t.Sleep("finish meatballs", 2)
	},
	"salad": func(t *Thread) {
		t.CSleep("chop vegetables", 3)
		t.CSleep("assemble salad", 1)
	},
}

func dinner(order []string, opts Options) (units float64, tl *timing.Timeline) {
	tl = timing.NewTimeline()
	g := New(tl, opts)
	var wg sync.WaitGroup
	for _, name := range order {
		th := g.NewThread(name)
		wg.Go(func() { th.Run(dishes[name]) })
	}
	wg.Wait()
	return timing.InUnits(tl.Now()), tl
}

func TestDinners(t *testing.T) {
	// At 100 ms the band of 0.3 units is 30 ms: on a machine whose cores are both busy with other
	// programs, the threads' goroutines once started 16 ms late, and the dinner read 7.35 at 50 ms.
	t.Setenv(timing.UnitEnv, "100ms")
	seed := []string{"pasta", "meatballs", "salad"}
	saladFirst := []string{"salad", "meatballs", "pasta"}
	tests := []struct {
		name          string
		order         []string
		switchBetween bool
		want          float64
	}{
		{"seed order, no switch between calls", seed, false, 7},
		{"salad first, no switch between calls", saladFirst, false, 9},
		{"seed order, switch between calls", seed, true, 7},
		{"salad first, switch between calls", saladFirst, true, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tl := dinner(tt.order, Options{SwitchBetweenCalls: tt.switchBetween})
			if math.Abs(got-tt.want) > 0.3 {
				t.Errorf("dinner took %.2f units, want %v ± 0.3; spans: %+v", got, tt.want, tl.Spans())
			}
		})
	}
}

// TestOneRunnerAtATime checks the lock's one rule: no two threads run a
// step while holding it, and a C sleep keeps every other thread out.
func TestOneRunnerAtATime(t *testing.T) {
	t.Setenv(timing.UnitEnv, "10ms")
	_, tl := dinner([]string{"salad", "meatballs", "pasta"}, Options{})
	var held []timing.Span
	for _, s := range tl.Spans() {
		if s.Task == "chop vegetables" || s.Task == "assemble salad" || s.Task == "sear meatballs" {
			held = append(held, s)
		}
	}
	if len(held) != 3 {
		t.Fatalf("found %d C steps", len(held))
	}
	for i, a := range held {
		for _, b := range held[i+1:] {
			if a.Start < b.End && b.Start < a.End && a.End-b.Start > timing.Units(0.05) && b.End-a.Start > timing.Units(0.05) {
				t.Errorf("C steps overlap: %+v and %+v", a, b)
			}
		}
	}
	// Meatballs and pasta must wait for the whole chop and assembly.
	waits := 0
	for _, s := range tl.Spans() {
		if s.Task == "waiting for the GIL" && s.Start < timing.Units(0.1) && s.End > timing.Units(3.9) {
			waits++
		}
	}
	if waits != 2 {
		t.Errorf("%d threads waited for the salad's C steps, want 2: %+v", waits, tl.Spans())
	}
}

func TestReleaseWithoutHoldingPanics(t *testing.T) {
	g := New(timing.NewTimeline(), Options{})
	a := g.NewThread("a") // holds the lock
	b := g.NewThread("b") // waits
	defer func() {
		if recover() == nil {
			t.Error("releasing a lock held by another thread did not panic")
		}
	}()
	_ = a
	b.release()
}

func TestThreadsRunInStartOrder(t *testing.T) {
	t.Setenv(timing.UnitEnv, "10ms")
	tl := timing.NewTimeline()
	g := New(tl, Options{})
	var (
		mu    sync.Mutex
		order []string
		wg    sync.WaitGroup
	)
	names := []string{"a", "b", "c", "d", "e"}
	for _, n := range names {
		th := g.NewThread(n)
		wg.Go(func() {
			th.Run(func(t *Thread) {
				mu.Lock()
				order = append(order, t.Name)
				mu.Unlock()
			})
		})
	}
	wg.Wait()
	if !slices.Equal(order, names) {
		t.Errorf("threads ran in order %v, want %v", order, names)
	}
}

// spin does n rounds of arithmetic; sink keeps the compiler from dropping it.
var sink atomic.Uint64

func spin(n int) {
	x := uint64(88172645463325252)
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	sink.Add(x)
}

// cpuRun runs threads that each do rounds of work, in the given way, and
// returns the wall time.
func cpuRun(threads, rounds int, opts Options, native bool) (time.Duration, *timing.Timeline) {
	tl := timing.NewTimeline()
	g := New(tl, opts)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range threads {
		th := g.NewThread(fmt.Sprintf("thread %d", i+1))
		wg.Go(func() {
			th.Run(func(t *Thread) {
				if native {
					t.Native("native work", func() { spin(rounds) })
					return
				}
				const step = 1000
				t.Loop("python work", rounds/step, func(int) { spin(step) })
			})
		})
	}
	wg.Wait()
	return time.Since(start), tl
}

// overlap returns how long two spans ran at the same time.
func overlap(a, b timing.Span) time.Duration {
	return max(0, min(a.End, b.End)-max(a.Start, b.Start))
}

func TestCPUWorkUnderTheGIL(t *testing.T) {
	const rounds = 30_000_000 // tens of milliseconds of work
	serial, _ := cpuRun(1, 4*rounds, Options{}, false)
	threaded, tl := cpuRun(4, rounds, Options{}, false)
	// Under the GIL, no two stretches of Python work ever run at once (a
	// hand-over takes a few microseconds, hence the small allowance)...
	var work []timing.Span
	for _, s := range tl.Spans() {
		if s.Task == "python work" {
			work = append(work, s)
		}
	}
	for i, a := range work {
		for _, b := range work[i+1:] {
			if a.Lane != b.Lane && overlap(a, b) > time.Millisecond {
				t.Errorf("two threads ran Python code at once: %+v and %+v", a, b)
			}
		}
	}
	// ...the threads took turns, in several stretches each...
	if len(work) < 8 {
		t.Errorf("only %d stretches of work: the threads did not take turns", len(work))
	}
	// ...and so they give no speed-up: a generous band, as other tests may
	// be using the cores meanwhile.
	if ratio := float64(threaded) / float64(serial); ratio < 0.6 || ratio > 2.5 {
		t.Errorf("4 threads took %v, serial %v: ratio %.2f, want about 1", threaded, serial, ratio)
	}

	coop, tl := cpuRun(4, rounds, Options{Cooperative: true}, false)
	for _, s := range tl.Spans() {
		if s.Task == "python work" && s.Duration() < coop/8 {
			t.Errorf("a cooperative thread was switched out: %+v", s)
		}
	}

	// Native calls let go of the lock: they run at the same time (on one
	// core, interleaved; on several, in parallel).
	_, tl = cpuRun(2, 2*rounds, Options{}, true)
	var native []timing.Span
	for _, s := range tl.Spans() {
		if s.Task == "native work" {
			native = append(native, s)
		}
	}
	if len(native) != 2 || overlap(native[0], native[1]) < min(native[0].Duration(), native[1].Duration())/2 {
		t.Errorf("the native calls did not run at the same time: %+v", native)
	}
}

// TestEveryHolderRunsAnInterval: with four threads computing, a thread handed the lock keeps it
// for a switch interval at least, unless its work ends first: a waiting thread counts the interval
// again from each hand-over, as CPython's do. (Counted only from its own request, the first waiter
// has always waited long enough once the holder hands over, and the lock ran through the queue in
// stretches of microseconds, a convoy.) A stretch is measured from the end of the one before it,
// where the lock was handed over: the new holder's goroutine may wake a few milliseconds later on
// a busy machine, and that delay is still its turn.
func TestEveryHolderRunsAnInterval(t *testing.T) {
	const interval = 5 * time.Millisecond
	_, tl := cpuRun(4, 30_000_000, Options{Interval: interval}, false)
	var work []timing.Span
	last := map[string]time.Duration{} // the end of each thread's last stretch
	for _, s := range tl.Spans() {
		if s.Task == "python work" {
			work = append(work, s)
			last[s.Lane] = max(last[s.Lane], s.End)
		}
	}
	slices.SortFunc(work, func(a, b timing.Span) int { return cmp.Compare(a.Start, b.Start) })
	turns := 0
	for i := 1; i < len(work); i++ {
		s := work[i]
		if s.End == last[s.Lane] { // its thread's work ended: the stretch may be short
			continue
		}
		turns++
		if turn := s.End - work[i-1].End; turn < interval {
			t.Errorf("%s handed the lock over %v after it got it, before the %v interval: %+v", s.Lane, turn, interval, s)
		}
	}
	if turns < 4 {
		t.Errorf("%d turns before the threads' last ones: the threads did not take turns", turns)
	}
}

func fibGIL(t *Thread, n int) int {
	t.Step()
	if n < 2 {
		return n
	}
	return fibGIL(t, n-1) + fibGIL(t, n-2)
}

func TestPythonRecursionTakesTurns(t *testing.T) {
	tl := timing.NewTimeline()
	g := New(tl, Options{})
	var wg sync.WaitGroup
	results := make([]int, 2)
	for i := range 2 {
		th := g.NewThread(fmt.Sprintf("fib %d", i))
		wg.Go(func() {
			th.Run(func(t *Thread) { t.Python("fib(32)", func() { results[i] = fibGIL(t, 32) }) })
		})
	}
	wg.Wait()
	if results[0] != 2178309 || results[1] != 2178309 {
		t.Errorf("fib(32) = %v", results)
	}
	stretches := 0
	for _, s := range tl.Spans() {
		if s.Task == "fib(32)" {
			stretches++
		}
	}
	if stretches < 3 {
		t.Errorf("%d stretches: the two recursions did not take turns", stretches)
	}
}
