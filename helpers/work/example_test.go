package work_test

import (
	"fmt"
	"sync"

	"github.com/concurrency-kitchen/course/helpers/load"
	"github.com/concurrency-kitchen/course/helpers/work"
)

// Four computing tasks of a quarter of a unit each, in four goroutines: on two free cores they
// take about half a unit, on one core a whole unit.
func Example() {
	rounds := work.RoundsPerUnit() / 4
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { work.Crunch(rounds) })
	}
	wg.Wait()
	fmt.Println("four tasks crunched")
	// Output: four tasks crunched
}

// The checksum grows by the result of every Crunch: here, by the generator's state after one
// step.
func ExampleChecksum() {
	before := work.Checksum()
	work.Crunch(1)
	fmt.Println(work.Checksum() - before)
	// Output: 8748534153485358512
}

// Serial against two goroutines, the best of three tries each, taking turns; a speed-up is judged
// only when even the best tries had the cores to themselves.
func ExampleTurns() {
	rounds := work.RoundsPerUnit() / 10
	serial := func() int {
		work.Crunch(rounds)
		work.Crunch(rounds)
		return 1
	}
	twoGoroutines := func() int {
		var wg sync.WaitGroup
		wg.Go(func() { work.Crunch(rounds) })
		wg.Go(func() { work.Crunch(rounds) })
		wg.Wait()
		return 2
	}
	best := work.Turns(3, serial, twoGoroutines)
	speedUp := best[0].Time.Seconds() / best[1].Time.Seconds() // about 2 on two free cores
	judged := best[0].Others <= load.Busy && best[1].Others <= load.Busy && load.Cores() >= 2
	if judged && speedUp < 1.2 {
		fmt.Println("two goroutines did not compute at once")
	}
	fmt.Println(best[0].Value, best[1].Value) // what each kept try returned
	// Output: 1 2
}

// Seed 002's do_calcs for 2016, in one call and a thousand numbers at a time.
func ExampleDoCalcs() {
	pieces := 0
	for k := range 2016 * 100 {
		pieces += work.SumRange(k*1000, (k+1)*1000)
	}
	fmt.Println(work.DoCalcs(2016), pieces, work.SeedSums[0])
	// Output: 20321279899200000 20321279899200000 20321279899200000
}
