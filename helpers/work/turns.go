package work

import (
	"time"

	"github.com/concurrency-kitchen/course/helpers/load"
)

// A Best is the best (shortest) of one function's tries in Turns.
type Best[T any] struct {
	Time   time.Duration // how long the try took
	Others float64       // how many cores other programs kept busy meanwhile (0 where unknown)
	Value  T             // what the function returned in that try
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
			if try == 0 || b.Time < best[i].Time {
				best[i] = b
			}
		}
	}
	return best
}
