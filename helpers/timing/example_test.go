package timing_test

import (
	"fmt"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

func ExampleParseUnit() {
	d, err := timing.ParseUnit("50ms")
	fmt.Println(d, err)
	_, err = timing.ParseUnit("soon")
	fmt.Println(err)
	// Output:
	// 50ms <nil>
	// COURSE_TIME_UNIT="soon" is not a Go duration (try "1s" or "100ms")
}

func ExampleTimeline() {
	tl := timing.NewTimeline()
	var wg sync.WaitGroup
	for _, dish := range []string{"pasta", "salad"} {
		wg.Go(func() {
			defer tl.Track(dish, "cook")()
			time.Sleep(10 * time.Millisecond)
		})
	}
	wg.Wait()
	for _, s := range tl.Spans() {
		fmt.Println(s.Lane, s.Task, s.Duration() >= 10*time.Millisecond)
	}
	// Unordered output:
	// pasta cook true
	// salad cook true
}
