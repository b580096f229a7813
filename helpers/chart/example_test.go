package chart_test

import (
	"fmt"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart"
	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/concurrency-kitchen/course/helpers/sched"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

func ExampleGantt() {
	defer display.Use(&display.Recorder{})() // in a notebook the chart appears in the cell
	tl := timing.NewTimeline()
	tl.Add(timing.Span{Lane: "pasta", Task: "boil water", Start: 0, End: 3 * time.Second})
	c := chart.Gantt("Dinner", tl.Spans())
	fmt.Println(c.Title(), c.Show())
	// Output: Dinner <nil>
}

func ExampleLogBars() {
	c := chart.LogBars("Starting one", "µs", []string{"goroutine", "OS thread", "process"},
		chart.Series{Name: "this run", Values: []float64{0.3, 31, 2100}})
	fmt.Println(c.Title())
	// Output: Starting one
}

func ExampleBars() {
	c := chart.Bars("Dinners", "time (units)", []string{"synchronous", "goroutines"},
		chart.Series{Name: "Go", Values: []float64{13.02, 5.01}},
		chart.Series{Name: "Python text", Values: []float64{13, 5}})
	fmt.Println(c.Title())
	// Output: Dinners
}

func ExampleSchedGantt() {
	defer display.Use(&display.Recorder{})() // in a notebook the chart appears in the cell
	tl := timing.NewTimeline()
	run, err := sched.Trace(tl, func() {
		defer tl.Track("pasta", "boil water")()
		time.Sleep(time.Millisecond)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := chart.SchedGantt("Who ran where", run)
	fmt.Println(c.Title(), c.Show())
	// Output: Who ran where <nil>
}
