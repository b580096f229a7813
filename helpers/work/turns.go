package work

import (
	"time"

	"github.com/concurrency-kitchen/course/helpers/load"
)

// A Best is the best (shortest) of one function's tries in Turns.
type Best[T any] struct {
	Time   time.Duration   // how long the try took
	Others float64         // how many cores other programs kept busy meanwhile (0 where unknown)
	Value  T               // what the function returned in that try
	Tries  []time.Duration // how long every try took, in turn order
}

// TurnRatio is the best ratio of a's time to b's within one turn: the most that b beat a by,
// measured moments apart. The speed of a virtual machine's cores drifts by a third over seconds
// (measured here: the same serial sum took 313 to 532 ms in one run), so the ratio of two best
// times, taken in different turns, can mix a fast moment with a slow one; a ratio taken in one
// turn compares like with like. It is 0 when either has no tries.
func TurnRatio[T any](a, b Best[T]) float64 {
	r := 0.0
	for k := range min(len(a.Tries), len(b.Tries)) {
		if b.Tries[k] > 0 {
			r = max(r, float64(a.Tries[k])/float64(b.Tries[k]))
		}
	}
	return r
}

// Turns runs every function n times, taking turns (the first, the second, ..., the first again),
// and returns the best try of each, in the order of fns. A moment when another program takes a
// core only ever adds time: the best try is the least disturbed one, and taking turns keeps such a
// moment from falling on one function alone. Best.Others tells a check whether even the best try
// was disturbed (more than load.Busy cores).
func Turns[T any](n int, fns ...func() T) []Best[T] {
	best := make([]Best[T], len(fns))
	for try := range n {
		for i, fn := range fns {
			var b Best[T]
			b.Others, _ = load.Others(func() {
				start := time.Now()
				b.Value = fn()
				b.Time = time.Since(start)
			})
			tries := append(best[i].Tries, b.Time)
			if try == 0 || b.Time < best[i].Time {
				best[i] = b
			}
			best[i].Tries = tries
		}
	}
	return best
}
