package chart

import (
	"fmt"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/frame"
	"github.com/concurrency-kitchen/course/helpers/chart/internal/jsopt"
	"github.com/concurrency-kitchen/course/helpers/chart/internal/rows"
	"github.com/concurrency-kitchen/course/helpers/internal/round"
	"github.com/concurrency-kitchen/course/helpers/timing"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// schedTooltip names the goroutine and its lane, where it ran, for how
// long, and why it stopped. Values: 0 the P's row, 1 start, 2 end, 3 the
// label, 4 the goroutine, 5 the OS thread, 6 why it stopped, 7 the
// duration in words (a stretch of microseconds is 0.000 units).
const schedTooltip = `function (p) {
var v = p.value;
return p.marker + '<b>' + p.seriesName + '</b> &middot; goroutine ' + v[4] + '<br/>running on P' + v[0] +
', OS thread ' + v[5] + '<br/>start ' + v[1].toFixed(3) + ' &middot; end ' + v[2].toFixed(3) +
' units &middot; ran ' + v[7] + '<br/>then: ' + v[6];
}`

// othersName is the legend entry of the goroutines that are not the
// lesson's: the runtime's and the helpers'.
const othersName = "runtime & helpers"

// A Stretch is a stretch of time during which a goroutine ran on one P,
// as the runtime's execution trace recorded it (package sched makes them).
type Stretch struct {
	P          int           // the P (scheduler slot) it ran on
	Start, End time.Duration // on the run's timeline
	Lane       string        // the timeline lane the goroutine worked for; "" for the runtime's and the helpers'
	Goroutine  int64         // the goroutine's ID
	Thread     int64         // the OS thread it ran on
	Stop       string        // why it stopped running: "blocked (sleep)", "preempted", "exit", ...
}

// SchedGantt draws what the scheduler did in a traced run: one row per P,
// one bar per stretch a goroutine ran there, coloured by the lane it
// worked for (one legend entry per lane, in the lanes' natural order, as
// timing.OrderLanes gives it); the runtime's and the helpers' goroutines
// are drawn in grey. procs is the run's GOMAXPROCS: there are at least
// that many rows. The x axis is time in units on the run's timeline, so
// the chart lines up with Gantt's of the same run. A bar's tooltip gives
// the goroutine, its P and OS thread, its start, end and duration, and why
// it stopped running. The chart zooms on time as Gantt's does.
func SchedGantt(title, subtitle string, procs int, stretches []Stretch) *Chart {
	procs = max(procs, 1)
	var lanes []string
	byLane := map[string][]opts.CustomData{}
	for _, s := range stretches {
		procs = max(procs, s.P+1)
		name := s.Lane
		if name == "" {
			name = othersName
		}
		if _, ok := byLane[name]; !ok && name != othersName {
			lanes = append(lanes, name)
		}
		byLane[name] = append(byLane[name], opts.CustomData{Name: name, Value: []any{s.P,
			round.To(timing.InUnits(s.Start), dataPlaces), round.To(timing.InUnits(s.End), dataPlaces),
			name, s.Goroutine, s.Thread, s.Stop, rows.RoundDuration(s.End - s.Start).String()}})
	}
	lanes = timing.OrderLanes(lanes)
	ps := make([]string, procs)
	for i := range ps {
		ps[i] = fmt.Sprintf("P%d", i)
	}
	f := frame.New(title, frame.ZoomFor(len(stretches)), rows.LegendSpace)
	c := rows.New(f, subtitle, ps, schedTooltip)
	for _, lane := range lanes {
		rows.AddBars(c, lane, byLane[lane], rows.TickRender, "")
	}
	if others := byLane[othersName]; len(others) > 0 {
		rows.AddBars(c, othersName, others, rows.TickRender, rows.WaitingColor)
	}
	return &Chart{
		title:  title,
		height: 160 + frame.TitleTop + f.Below() + 42*procs,
		option: jsopt.Of(c),
	}
}
