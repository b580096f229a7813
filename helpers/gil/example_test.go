package gil_test

import (
	"fmt"
	"math"
	"os"
	"sync"

	"github.com/concurrency-kitchen/course/helpers/gil"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// Two modelled Python threads: one holds the lock in a C call for two
// units, so the other, which only wanted to sleep one unit, ends at 3.
func Example() {
	os.Setenv(timing.UnitEnv, "100ms") // a busy machine may add tens of milliseconds
	defer os.Unsetenv(timing.UnitEnv)

	tl := timing.NewTimeline()
	lock := gil.New(tl, gil.Options{})
	var wg sync.WaitGroup
	chop := lock.NewThread("chop")
	nap := lock.NewThread("nap")
	wg.Go(func() { chop.Run(func(t *gil.Thread) { t.CSleep("chop, holding the GIL", 2) }) })
	wg.Go(func() { nap.Run(func(t *gil.Thread) { t.Sleep("nap", 1) }) })
	wg.Wait()
	fmt.Println("units:", math.Round(timing.InUnits(tl.Makespan())))
	// Output: units: 3
}
