package kitchen_test

import (
	"fmt"
	"math"
	"os"

	"github.com/concurrency-kitchen/course/helpers/gil"
	"github.com/concurrency-kitchen/course/helpers/kitchen"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// The dinner with goroutines takes as long as its longest dish, and under the GIL model the
// order in which the threads start decides the time.
func Example() {
	defer os.Setenv(timing.UnitEnv, os.Getenv(timing.UnitEnv))
	os.Setenv(timing.UnitEnv, "50ms") // 50 ms a unit: 21 units take about a second

	tl := timing.NewTimeline()
	kitchen.Goroutines(tl)
	fmt.Println("goroutines:", math.Round(timing.InUnits(tl.Makespan())), "units,", len(tl.Lanes()), "dishes at once")

	for _, order := range [][]string{kitchen.Dishes(), kitchen.SaladFirst()} {
		tl := timing.NewTimeline()
		kitchen.GIL(tl, order, gil.Options{})
		fmt.Println("GIL model,", order[0], "first:", math.Round(timing.InUnits(tl.Makespan())), "units")
	}
	// Output:
	// goroutines: 5 units, 3 dishes at once
	// GIL model, pasta first: 7 units
	// GIL model, salad first: 9 units
}
