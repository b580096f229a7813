package costs_test

import (
	"fmt"
	"time"

	"github.com/concurrency-kitchen/course/helpers/costs"
)

// Start a goroutine and wait for it, then the same with a goroutine that locks itself to a thread
// of its own: each figure is the best of three runs, per worker.
func Example() {
	goroutine := costs.Best(func() time.Duration { return costs.GoroutineStartJoin(10_000) })
	var distinct int
	thread := costs.Best(func() time.Duration {
		d, n := costs.ThreadStartJoin(100)
		distinct = n
		return d
	})
	fmt.Println("a thread costs more to start than a goroutine:", thread > goroutine)
	fmt.Println("different threads for 100 locked goroutines:", distinct)
	// Output:
	// a thread costs more to start than a goroutine: true
	// different threads for 100 locked goroutines: 100
}

// The formatting the lessons print times, memory and ratios with.
func ExampleHuman() {
	fmt.Println(costs.Human(250*time.Nanosecond), costs.Human(31400*time.Nanosecond), costs.Human(1250*time.Microsecond))
	fmt.Println(costs.KiB(2.6), costs.KiB(3072), costs.Times(12345, 1)+costs.Times(2.5, 1))
	// Output:
	// 250 ns 31.4 µs 1.25 ms
	// 2.6 KiB 3.0 MiB  (×12,345) (×2.5)
}
