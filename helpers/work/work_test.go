package work

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/load"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// Crunch adds to the checksum the generator's state after rounds steps, and the same whichever
// goroutine runs it.
func TestCrunch(t *testing.T) {
	for _, tc := range []struct {
		rounds int
		want   uint64
	}{
		{0, 88172645463325252},
		{1, 8748534153485358512},
		{2, 3040900993826735515},
		{1000, 1363160026601443621},
		{1_000_000, 7290476056423008982},
	} {
		before := Checksum()
		Crunch(tc.rounds)
		if got := Checksum() - before; got != tc.want {
			t.Errorf("Crunch(%d) added %d to the checksum, want %d", tc.rounds, got, tc.want)
		}
		before = Checksum()
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { Crunch(tc.rounds) })
		}
		wg.Wait()
		if got, want := Checksum()-before, 4*tc.want; got != want {
			t.Errorf("four goroutines' Crunch(%d) added %d, want %d", tc.rounds, got, want)
		}
	}
}

// RoundsPerUnit's rounds take about one unit, at every unit the lessons use.
func TestRoundsPerUnit(t *testing.T) {
	if testing.Short() {
		t.Skip("measures for about a second")
	}
	for _, tc := range []struct {
		unit string
		tol  float64 // a share of the unit: a busy machine adds time
	}{
		{"50ms", 0.5},
		{"200ms", 0.5},
	} {
		t.Run(tc.unit, func(t *testing.T) {
			t.Setenv(timing.UnitEnv, tc.unit)
			var rounds int
			best := time.Duration(1 << 62)
			others, err := load.Others(func() {
				rounds = RoundsPerUnit()
				for range 3 { // the best of three: another program can only add time
					start := time.Now()
					Crunch(rounds)
					best = min(best, time.Since(start))
				}
			})
			if err == nil && others > load.Busy {
				t.Skipf("other programs kept %.1f cores busy: not judged", others)
			}
			if u := timing.InUnits(best); u < 1-tc.tol || u > 1+tc.tol {
				t.Errorf("RoundsPerUnit() = %d rounds, which took %.2f units (%v); want 1 ± %.1f", rounds, u, best, tc.tol)
			}
		})
	}
}

// Turns keeps each function's shortest try and its value, whatever order the tries come in.
func TestTurns(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sleeps [][]time.Duration // per function, the sleep of each try
		want   []int             // per function, the try that must be kept
	}{
		{"one function, best last", [][]time.Duration{{30 * time.Millisecond, 20 * time.Millisecond, 5 * time.Millisecond}}, []int{2}},
		{"two functions, best first and in the middle",
			[][]time.Duration{{5 * time.Millisecond, 30 * time.Millisecond, 30 * time.Millisecond}, {30 * time.Millisecond, 5 * time.Millisecond, 30 * time.Millisecond}},
			[]int{0, 1}},
		{"one try", [][]time.Duration{{10 * time.Millisecond}, {1 * time.Millisecond}}, []int{0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var order []int // which function ran, in order
			fns := make([]func() int, len(tc.sleeps))
			for i, sleeps := range tc.sleeps {
				try := 0
				fns[i] = func() int {
					order = append(order, i)
					time.Sleep(sleeps[try])
					try++
					return try - 1
				}
			}
			best := Turns(len(tc.sleeps[0]), fns...)
			for i, b := range best {
				if b.Value != tc.want[i] || b.Time < tc.sleeps[i][tc.want[i]] {
					t.Errorf("function %d: kept try %d (%v), want try %d (at least %v)", i, b.Value, b.Time, tc.want[i], tc.sleeps[i][tc.want[i]])
				}
			}
			for k, i := range order {
				if i != k%len(fns) {
					t.Fatalf("the functions ran in the order %v, not in turns", order)
				}
			}
			for i, b := range best {
				if len(b.Tries) != len(tc.sleeps[i]) {
					t.Fatalf("function %d: %d tries recorded, want %d", i, len(b.Tries), len(tc.sleeps[i]))
				}
				for k, d := range b.Tries {
					if d < tc.sleeps[i][k] {
						t.Errorf("function %d, try %d: %v recorded, less than its sleep %v", i, k, d, tc.sleeps[i][k])
					}
				}
			}
		})
	}
}

// TurnRatio compares tries of the same turn only, and keeps the best ratio.
func TestTurnRatio(t *testing.T) {
	ms := func(ds ...int) []time.Duration {
		var out []time.Duration
		for _, d := range ds {
			out = append(out, time.Duration(d)*time.Millisecond)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		a, b []time.Duration
		want float64
	}{
		// The bests (300 and 150) come from different turns: their ratio, 2, was never measured.
		{"bests in different turns", ms(300, 500), ms(250, 150), 500.0 / 150},
		{"a slow second core all along", ms(300, 310, 320), ms(280, 300, 290), 320.0 / 290},
		{"one turn", ms(200), ms(100), 2},
		{"no tries", nil, ms(100), 0},
		{"uneven tries", ms(200, 100, 400), ms(100), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := TurnRatio(Best[int]{Tries: tc.a}, Best[int]{Tries: tc.b}); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("TurnRatio(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

// SumRange is Python's sum(range(lo, hi)), and DoCalcs gives the seed's sums, also in pieces.
func TestSums(t *testing.T) {
	for _, tc := range []struct {
		lo, hi, want int
	}{
		{0, 0, 0}, {0, 1, 0}, {0, 10, 45}, {5, 10, 35}, {10, 5, 0}, {-3, 5, 4},
	} {
		if got := SumRange(tc.lo, tc.hi); got != tc.want {
			t.Errorf("SumRange(%d, %d) = %d, want %d", tc.lo, tc.hi, got, tc.want)
		}
	}
	for i, want := range SeedSums {
		year := 2016 + i
		if got := DoCalcs(year); got != want {
			t.Errorf("DoCalcs(%d) = %d, want the seed's %d", year, got, want)
		}
		pieces := 0 // as the lesson's GIL-model threads sum it: a thousand numbers at a time
		for k := range year * 100 {
			pieces += SumRange(k*1000, (k+1)*1000)
		}
		if pieces != want {
			t.Errorf("DoCalcs(%d) in pieces of 1000 = %d, want %d", year, pieces, want)
		}
	}
}
