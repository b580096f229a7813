// Package work is the computing work of lessons 08 and 09 and the way they time it: Crunch,
// seed 001's crunch_numbers as arithmetic that the compiler cannot drop; RoundsPerUnit, how many
// of its rounds make one time unit on one core of this machine; DoCalcs and SumRange, seed 002's
// do_calcs and its sums; and Turns, the best of several tries of each way of running a task, the
// ways taking turns.
//
// Lesson 08 writes crunch and roundsPerUnit in its cells, where they are taught; lesson 09
// imports them from here instead of repeating them. A task of one unit on one core is:
//
//	rounds := work.RoundsPerUnit()
//	work.Crunch(rounds)
package work

import (
	"sync/atomic"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

// checksum collects every Crunch's result. Were the results thrown away, the compiler could drop
// the arithmetic and a lesson would time an empty loop instead.
var checksum atomic.Uint64

// Crunch does rounds steps of arithmetic (a xorshift generator's) and adds the result to the
// checksum. Its time grows in proportion to rounds, and it neither waits nor allocates: it keeps
// one core busy for as long as it runs. Any number of goroutines may call it at once.
func Crunch(rounds int) {
	x := uint64(88172645463325252)
	for range rounds {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	checksum.Add(x)
}

// Checksum returns the sum, wrapping around, of the results of every Crunch so far.
func Checksum() uint64 { return checksum.Load() }

// warmUp is how long RoundsPerUnit crunches before it measures: on the course's machines a
// computing loop measured in the first fraction of a second runs markedly slower than later.
const warmUp = 500 * time.Millisecond

// probe is how many rounds RoundsPerUnit times (about 40 ms on the course's machines).
const probe = 20_000_000

// RoundsPerUnit warms the CPU up for half a second, then returns how many rounds of Crunch one
// core does in one time unit (timing.Unit). It takes a little over half a second, on one core.
func RoundsPerUnit() int {
	for warm := time.Now().Add(warmUp); time.Now().Before(warm); {
		Crunch(1_000_000)
	}
	start := time.Now()
	Crunch(probe)
	return int(float64(probe) * float64(timing.Unit()) / float64(time.Since(start)))
}
