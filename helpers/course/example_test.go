package course_test

import (
	"fmt"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/course"
	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/concurrency-kitchen/course/helpers/report"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// A timed run names its lesson once: two dishes cook at once, and the run is as long as the
// longer one. (Not run by go test: its times vary.)
func ExampleLesson_Start() {
	lesson := course.Lesson("00-welcome")

	run := lesson.Start("two waits", "at once")
	var wg sync.WaitGroup
	for _, dish := range []struct {
		name  string
		units float64
	}{{"pasta", 3}, {"oven", 2}} {
		wg.Go(func() {
			defer run.TL.Track(dish.name, "wait")()
			time.Sleep(timing.Units(dish.units))
		})
	}
	wg.Wait()
	run.Finish(report.Between(3, 2.9, 4))
	run.Gantt("Two waits at once")
}

// Report records a run timed another way, here a time already measured.
func ExampleLesson_Report() {
	defer display.Use(&display.Recorder{})() // in a notebook, the record goes to the page
	lesson := course.Lesson("00-welcome")
	r := lesson.Report("two waits", "one after the other", 5*timing.Unit(), nil, report.Near(5, 0.2))
	fmt.Println(r.Lesson, r.OK)
	// Output:
	// one after the other: 5.00 units (5.000 s); model: 5 ± 0.2 ✓
	// 00-welcome true
}
