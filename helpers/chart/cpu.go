package chart

import (
	"fmt"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

// CPU draws how busy each CPU core was during a run: one line per core,
// busy in percent, against time in units, to read under the run's Gantt
// chart. at[i] is when sample i ends on the run's timeline, and busy[i]
// holds each core's busy share (0 to 1) over that sample, as package
// cpuuse measures them (cpuuse.Split gives both). A sample without a time
// is left out.
func CPU(title string, at []time.Duration, busy [][]float64) *Chart {
	n := min(len(at), len(busy))
	x := make([]float64, n)
	var series []Series
	for i := range n {
		x[i] = timing.InUnits(at[i])
		for len(series) < len(busy[i]) {
			series = append(series, Series{Name: fmt.Sprintf("core %d", len(series))})
		}
		for core, b := range busy[i] {
			series[core].Values = append(series[core].Values, 100*b)
		}
	}
	return Line(title, "time (units)", "busy (%)", x, series...)
}
