package cpuuse_test

import (
	"fmt"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart"
	"github.com/concurrency-kitchen/course/helpers/cpuuse"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// A run samples the cores on its timeline's clock, then draws them under
// its Gantt chart. (On Linux: elsewhere Start returns ErrUnavailable.)
func Example() {
	tl := timing.NewTimeline()
	sampler, err := cpuuse.Start(tl, 10*time.Millisecond)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sampler.Stop() // harmless after the Stop below

	time.Sleep(50 * time.Millisecond) // the experiment
	samples := sampler.Stop()

	at, busy := cpuuse.Split(samples)
	c := chart.CPU("CPU use", at, busy) // then c.Show() in a cell
	fmt.Println(c.Title())
	// Output: CPU use
}

func ExampleMean() {
	samples := []cpuuse.Sample{
		{At: 100 * time.Millisecond, Busy: []float64{1, 0}},
		{At: 200 * time.Millisecond, Busy: []float64{1, 0.5}},
	}
	fmt.Println(cpuuse.Mean(samples))
	// Output: [1 0.25]
}
