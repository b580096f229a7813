package kitchen

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/concurrency-kitchen/course/helpers/gil"
	"github.com/concurrency-kitchen/course/helpers/pytwin"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// The tests run at a 50 ms unit, side by side: the dinners only sleep.
func TestMain(m *testing.M) {
	os.Setenv(timing.UnitEnv, "50ms")
	os.Exit(m.Run())
}

// near reports whether a dinner's time, in units, meets the model's figure: never faster, and
// late by less than half a unit (25 ms: a busy machine's late wake-ups), which still tells 7, 8
// and 9 apart.
func near(got, want float64) bool { return got > want-0.1 && got < want+0.5 }

// Every dinner against its model: the lesson's figures, with the lanes and the steps each one
// records.
func TestDinners(t *testing.T) {
	tests := []struct {
		name   string
		dinner func(*timing.Timeline)
		want   float64
		steps  int // spans that are steps, not waits
	}{
		{"synchronous", Synchronous, 13, 7},
		{"goroutines", Goroutines, 5, 7},
		{"GIL, pasta first", func(tl *timing.Timeline) { GIL(tl, Dishes(), gil.Options{}) }, 7, 7},
		{"GIL, pasta first, switch between calls", func(tl *timing.Timeline) {
			GIL(tl, Dishes(), gil.Options{SwitchBetweenCalls: true})
		}, 7, 7},
		{"GIL, salad first", func(tl *timing.Timeline) { GIL(tl, SaladFirst(), gil.Options{}) }, 9, 7},
		{"GIL, salad first, switch between calls", func(tl *timing.Timeline) {
			GIL(tl, SaladFirst(), gil.Options{SwitchBetweenCalls: true})
		}, 8, 7},
		{"cooperative", Cooperative, 7, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tl := timing.NewTimeline()
			tt.dinner(tl)
			if got := timing.InUnits(tl.Makespan()); !near(got, tt.want) {
				t.Errorf("took %.2f units, want %g", got, tt.want)
			}
			if got, want := slices.Sorted(slices.Values(tl.Lanes())), []string{"meatballs", "pasta", "salad"}; !slices.Equal(got, want) {
				t.Errorf("lanes %v, want %v", got, want)
			}
			steps := 0
			for _, s := range tl.Spans() {
				if s.Task != "waiting for the GIL" && s.Task != "waiting for the cook" {
					steps++
				}
			}
			if steps != tt.steps {
				t.Errorf("%d steps recorded, want %d: %v", steps, tt.steps, tl.Spans())
			}
		})
	}
}

// The cooperative dinner's salad keeps the cook 4 units: the pasta and the meatballs, ready at 3
// and 2, wait for it, and nobody else works while it blocks.
func TestCooperativeWaitsForTheSalad(t *testing.T) {
	t.Parallel()
	tl := timing.NewTimeline()
	Cooperative(tl)
	var waits []string
	for _, s := range tl.Spans() {
		if s.Task == "waiting for the cook" && s.Duration() > timing.Units(0.5) {
			waits = append(waits, s.Lane)
		}
	}
	slices.Sort(waits)
	if !slices.Equal(waits, []string{"meatballs", "pasta"}) {
		t.Errorf("long waits for the cook in %v, want meatballs and pasta: %v", waits, tl.Spans())
	}
}

func TestGILUnknownDish(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("a dinner with an unknown dish did not panic")
		}
	}()
	GIL(timing.NewTimeline(), []string{"soup"}, gil.Options{})
}

// CPython cooks two short dinners twice each: the salad alone, chop 3 and
// assemble 1 (it keeps the GIL, so nothing can make it faster; a busy machine makes it slower),
// and the pasta alone, boil 3 and cook 1.
func TestCookInCPython(t *testing.T) {
	if _, err := pytwin.Python(); err != nil {
		t.Skip("no Python for the twins:", err)
	}
	if testing.Short() {
		t.Skip("starts Python processes")
	}
	t.Parallel()
	orders := []CPythonOrder{{Dishes: []string{"salad"}}, {Dishes: []string{"pasta"}, Interval: gil.DefaultInterval}}
	dinners, err := CookInCPython(context.Background(), orders, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(dinners) != 2 || len(dinners[0]) != 2 || len(dinners[1]) != 2 {
		t.Fatalf("got %d orders of %d runs, want 2 of 2", len(dinners), len(dinners[0]))
	}
	for o, runs := range dinners {
		for r, d := range runs {
			if d.Units < 3.75 || d.Units > 6 {
				t.Errorf("order %d run %d took %.2f units, want 4 (up to 2 more on a busy machine)", o, r, d.Units)
			}
			if d.Interp.Version == "" {
				t.Errorf("order %d run %d: the twin named no interpreter: %+v", o, r, d.Interp)
			}
			if dish := orders[o].Dishes[0]; !slices.Contains(d.Timeline().Lanes(), dish) {
				t.Errorf("order %d run %d: lanes %v, want %s", o, r, d.Timeline().Lanes(), dish)
			}
		}
		if ts := Times(runs); len(ts) != 2 || ts[0] != runs[0].Units {
			t.Errorf("Times(%v) = %v", runs, ts)
		}
	}
}

func TestCountRounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		times []float64
		want  []float64
	}{
		{nil, []float64{0, 0, 0, 0, 0, 0}},
		{[]float64{7.02, 6.6, 8.4}, []float64{0, 0, 2, 1, 0, 0}},
		{[]float64{3, 5.4, 9.1, 12}, []float64{2, 0, 0, 0, 1, 1}},
	}
	for _, tt := range tests {
		if got := CountRounded(tt.times); !slices.Equal(got, tt.want) {
			t.Errorf("CountRounded(%v) = %v, want %v", tt.times, got, tt.want)
		}
	}
}

// The six orders of the GIL dinner without a switch between calls, as lesson 01's exercise
// predicts them: 7 when the pasta and the meatballs start before the salad, 8 when only the
// meatballs do, 9 when the meatballs start after it.
func TestGILOrders(t *testing.T) {
	tests := []struct {
		order []string
		want  float64
	}{
		{[]string{"pasta", "meatballs", "salad"}, 7},
		{[]string{"pasta", "salad", "meatballs"}, 9},
		{[]string{"meatballs", "pasta", "salad"}, 7},
		{[]string{"meatballs", "salad", "pasta"}, 8},
		{[]string{"salad", "pasta", "meatballs"}, 9},
		{[]string{"salad", "meatballs", "pasta"}, 9},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.order, ","), func(t *testing.T) {
			t.Parallel()
			tl := timing.NewTimeline()
			GIL(tl, tt.order, gil.Options{})
			if got := timing.InUnits(tl.Makespan()); !near(got, tt.want) {
				t.Errorf("%.2f units, want %g", got, tt.want)
			}
		})
	}
}
