package gil

import (
	"math"
	"slices"
	"sync"
	"testing"

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
