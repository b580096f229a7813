package chart_test

import (
	"fmt"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart"
	"github.com/concurrency-kitchen/course/helpers/display"
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
	u := timing.Unit()
	c := chart.SchedGantt("Who ran where", "GOMAXPROCS 2", 2, []chart.Stretch{
		{P: 0, Start: 0, End: u, Lane: "pasta", Goroutine: 8, Thread: 3, Stop: "blocked (sleep)"},
		{P: 1, Start: 0, End: u / 2, Lane: "salad", Goroutine: 9, Thread: 4, Stop: "exit"},
	})
	fmt.Println(c.Title(), c.Show())
	// Output: Who ran where <nil>
}

func ExampleHandoffs() {
	defer display.Use(&display.Recorder{})() // in a notebook the chart appears in the cell
	u := timing.Unit()
	c := chart.Handoffs("Who woke whom", "", []chart.Stretch{
		{P: 0, Start: 0, End: u / 100, Lane: "sender", Goroutine: 8, Stop: "blocked (sleep)"},
		{P: 0, Start: u, End: u + u/100, Lane: "sender", Goroutine: 8, Stop: "exit"},
		{P: 1, Start: u + u/100, End: u + u/50, Lane: "receiver", Goroutine: 9, Stop: "exit"},
	}, []chart.Wait{
		{Lane: "sender", Start: u / 100, End: u, Reason: "sleep"},
		{Lane: "receiver", Start: 0, End: u + u/100, Reason: "chan receive"},
	}, []chart.Wake{{At: u + u/100, From: "sender", To: "receiver", Reason: "chan receive"}})
	fmt.Println(c.Title(), c.Show())
	// Output: Who woke whom <nil>
}
