package gil

import (
	"fmt"
	"math"
	"runtime"
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
	t.Setenv(timing.UnitEnv, "50ms")
	seed := []string{"pasta", "meatballs", "salad"}
	saladFirst := []string{"salad", "meatballs", "pasta"}
	tests := []struct {
		name    string
		order   []string
		switch_ bool
		want    float64
	}{
		{"seed order, no switch between calls", seed, false, 7},
		{"salad first, no switch between calls", saladFirst, false, 9},
		{"seed order, switch between calls", seed, true, 7},
		{"salad first, switch between calls", saladFirst, true, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tl := dinner(tt.order, Options{SwitchBetweenCalls: tt.switch_})
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

func TestCPUWorkUnderTheGIL(t *testing.T) {
	const rounds = 30_000_000 // tens of milliseconds of work
	serial, _ := cpuRun(1, 4*rounds, Options{}, false)
	threaded, tl := cpuRun(4, rounds, Options{}, false)
	ratio := float64(threaded) / float64(serial)
	// Threads under the GIL give no speed-up on CPU work: about the serial time.
	if ratio < 0.85 || ratio > 1.4 {
		t.Errorf("4 threads took %v, serial %v: ratio %.2f, want about 1", threaded, serial, ratio)
	}
	// The threads took turns: each ran in several stretches.
	stretches := 0
	for _, s := range tl.Spans() {
		if s.Task == "python work" {
			stretches++
		}
	}
	if stretches < 8 {
		t.Errorf("only %d stretches of work: the threads did not take turns", stretches)
	}

	coop, tl := cpuRun(4, rounds, Options{Cooperative: true}, false)
	for _, s := range tl.Spans() {
		if s.Task == "python work" && s.Duration() < coop/8 {
			t.Errorf("a cooperative thread was switched out: %+v", s)
		}
	}

	if runtime.NumCPU() >= 2 {
		native, _ := cpuRun(2, 2*rounds, Options{}, true)
		serial2, _ := cpuRun(1, 4*rounds, Options{}, false)
		if r := float64(native) / float64(serial2); r > 0.8 {
			t.Errorf("2 native calls took %v against %v serial (ratio %.2f): they should run in parallel", native, serial2, r)
		}
	}
}
