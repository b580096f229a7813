package chart

import (
	"fmt"
	"slices"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/frame"
	"github.com/concurrency-kitchen/course/helpers/chart/internal/jsopt"
	"github.com/concurrency-kitchen/course/helpers/chart/internal/rows"
	"github.com/concurrency-kitchen/course/helpers/internal/round"
	"github.com/concurrency-kitchen/course/helpers/timing"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// A Wait is a stretch of time during which one of the lesson's goroutines
// was blocked, as the runtime's execution trace recorded it.
type Wait struct {
	Lane       string        // the timeline lane the goroutine worked for
	Start, End time.Duration // on the run's timeline
	Reason     string        // the runtime's reason: "sleep", "chan receive", "sync", ...
}

// A Wake is a moment one of the lesson's goroutines made another runnable:
// a channel send, an unlock, a WaitGroup's last Done.
type Wake struct {
	At       time.Duration // on the run's timeline
	From, To string        // the lanes of the waker and of the goroutine it woke
	Reason   string        // what the woken goroutine had waited on
}

// wakeRender draws a wake as an arrow from the waker's row to the woken
// goroutine's, at the moment of the wake. Values: 0 the time, 1 the
// waker's row, 2 the woken goroutine's row.
const wakeRender = `function (params, api) {
var a = api.coord([api.value(0), api.value(1)]);
var b = api.coord([api.value(0), api.value(2)]);
var h = api.size([0, 1])[1] * 0.3;
var dir = b[1] > a[1] ? 1 : -1;
var y1 = a[1] + dir * h, y2 = b[1] - dir * h;
return {type: 'group', children: [
{type: 'line', shape: {x1: a[0], y1: y1, x2: b[0], y2: y2}, style: {stroke: api.visual('color'), lineWidth: 1.5}},
{type: 'polygon', shape: {points: [[b[0] - 4, y2 - dir * 7], [b[0] + 4, y2 - dir * 7], [b[0], y2]]}, style: {fill: api.visual('color')}}]};
}`

// handoffTooltip describes a bar (running or waiting; its name is the
// lane) or a wake. Bar values: 0 the row, 1 start, 2 end, 3 what the
// goroutine did (written in the bar where it fits), 4 the duration in words;
// wake values: 0 the time, 1 and 2 the rows, 3 the text.
const handoffTooltip = `function (p) {
var v = p.value;
if (p.seriesName === 'woke') { return p.marker + v[3] + ' at ' + v[0].toFixed(3) + ' units'; }
return p.marker + '<b>' + p.name + '</b> &middot; ' + v[3] + '<br/>start ' + v[1].toFixed(3) +
' &middot; end ' + v[2].toFixed(3) + ' units &middot; ' + v[4];
}`

// wakeColor is the colour of the wake arrows.
const wakeColor = "#d0421b"

// Handoffs draws the lesson's goroutines as the runtime's trace saw them,
// one row per lane: when each ran (dark, often only a tick: microseconds),
// when it waited and on what (one colour per reason), and an arrow for
// every time one of them woke another, from the waker's row to the woken
// one's, as divan/gotrace drew channel sends. The x axis is time in units
// on the run's timeline, so the chart lines up with the run's Gantt chart.
// The rows are in the lanes' natural order (timing.OrderLanes). The chart
// zooms on time as Gantt's does.
func Handoffs(title, subtitle string, running []Stretch, waits []Wait, wakes []Wake) *Chart {
	var lanes []string
	addLane := func(l string) {
		if l != "" && !slices.Contains(lanes, l) {
			lanes = append(lanes, l)
		}
	}
	for _, s := range running {
		addLane(s.Lane)
	}
	for _, w := range waits {
		addLane(w.Lane)
	}
	lanes = timing.OrderLanes(lanes)
	row := map[string]int{}
	for i, l := range lanes {
		row[l] = i
	}
	bar := func(lane string, start, end time.Duration, label string) opts.CustomData {
		return opts.CustomData{Name: lane, Value: []any{row[lane],
			round.To(timing.InUnits(start), dataPlaces), round.To(timing.InUnits(end), dataPlaces),
			label, rows.RoundDuration(end - start).String()}}
	}
	var ran []opts.CustomData
	for _, s := range running {
		if s.Lane != "" {
			ran = append(ran, bar(s.Lane, s.Start, s.End, fmt.Sprintf("goroutine %d ran on P%d, then %s", s.Goroutine, s.P, s.Stop)))
		}
	}
	var reasons []string
	waited := map[string][]opts.CustomData{}
	for _, w := range waits {
		if _, ok := waited[w.Reason]; !ok {
			reasons = append(reasons, w.Reason)
		}
		waited[w.Reason] = append(waited[w.Reason], bar(w.Lane, w.Start, w.End, w.Reason))
	}
	var woke []opts.CustomData
	for _, w := range wakes {
		from, okF := row[w.From]
		to, okT := row[w.To]
		if !okF || !okT || from == to {
			continue
		}
		woke = append(woke, opts.CustomData{Value: []any{round.To(timing.InUnits(w.At), dataPlaces), from, to,
			fmt.Sprintf("%s woke %s (%s)", w.From, w.To, w.Reason)}})
	}

	f := frame.New(title, frame.ZoomFor(len(running)+len(waits)), rows.LegendSpace)
	c := rows.New(f, subtitle, lanes, handoffTooltip)
	other := 0 // the reasons other than sleep take the colours of waitPalette in turn
	for _, r := range reasons {
		color := sleepColor
		if r != "sleep" {
			color = waitPalette[other%len(waitPalette)]
			other++
		}
		rows.AddBars(c, "waits: "+r, waited[r], rows.GanttRender, color)
	}
	rows.AddBars(c, "running", ran, rows.TickRender, runningColor)
	if len(woke) > 0 {
		c.AddSeries("woke", woke,
			charts.WithCustomChartOpts(opts.CustomChart{RenderItem: opts.FuncOpts(wakeRender)}),
			charts.WithEncodeOpts(opts.Encode{X: []int{0}, Y: []int{1, 2}}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: wakeColor}),
		)
	}
	return &Chart{
		title:  title,
		height: 160 + frame.TitleTop + f.Below() + 48*max(len(lanes), 1),
		option: jsopt.Of(c),
	}
}

// sleepColor and runningColor are the colours of a goroutine asleep on a
// timer and of one running, in Handoffs; waitPalette colours its other
// reasons to wait.
const (
	sleepColor   = "#a6cee3"
	runningColor = "#1f3b73"
)

var waitPalette = []string{"#f4c77d", rows.WaitingColor, "#b8d98b", "#e6a0c4"}
