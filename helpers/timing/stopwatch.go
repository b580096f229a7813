package timing

import "time"

// A Stopwatch measures the wall time of a run with the monotonic clock.
// The zero value is not started; use Start.
type Stopwatch struct {
	start time.Time
}

// Start returns a running stopwatch.
func Start() Stopwatch {
	return Stopwatch{start: time.Now()}
}

// Elapsed returns the time since the stopwatch started.
func (s Stopwatch) Elapsed() time.Duration {
	return time.Since(s.start)
}

// Units returns the time since the stopwatch started, in time units.
func (s Stopwatch) Units() float64 {
	return InUnits(s.Elapsed())
}
