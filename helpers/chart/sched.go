package chart

import (
	"fmt"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/round"
	"github.com/concurrency-kitchen/course/helpers/timing"
	"github.com/go-echarts/go-echarts/v2/charts"
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

// tickRender draws a stretch a goroutine ran like ganttRender draws a
// span, but at least 3 pixels wide and with no white border, so that a
// stretch of microseconds on an axis of seconds still shows as a tick.
const tickRender = `function (params, api) {
var lane = api.value(0);
var start = api.coord([api.value(1), lane]);
var end = api.coord([api.value(2), lane]);
var h = api.size([0, 1])[1] * 0.6;
var rect = echarts.graphic.clipRectByRect(
{x: start[0], y: start[1] - h / 2, width: Math.max(end[0] - start[0], 3), height: h},
{x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height});
if (!rect) { return; }
return {type: 'rect', shape: rect, style: api.style({text: ''})};
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
			name, s.Goroutine, s.Thread, s.Stop, roundDuration(s.End - s.Start).String()}})
	}
	lanes = timing.OrderLanes(lanes)
	rows := make([]string, procs)
	for i := range rows {
		rows[i] = fmt.Sprintf("P%d", i)
	}
	f := newFrame(title, zoomFor(len(stretches)), legendSpace)
	c := newRowsChart(f, subtitle, rows, schedTooltip)
	for _, lane := range lanes {
		addBars(c, lane, byLane[lane], tickRender, "")
	}
	if others := byLane[othersName]; len(others) > 0 {
		addBars(c, othersName, others, tickRender, waitingColor)
	}
	return &Chart{
		title:  title,
		height: 160 + titleTop + f.below() + 42*procs,
		option: optionOf(c, jsonOf(&c.BaseConfiguration)),
	}
}

// roundDuration keeps three significant figures of d: 23.4µs, 10.2ms.
func roundDuration(d time.Duration) time.Duration {
	for r := time.Duration(1); r < time.Hour; r *= 10 {
		if d < 1000*r {
			return d.Round(r)
		}
	}
	return d.Round(time.Second)
}

// legendSpace is the height, in pixels, of the legend at the bottom of
// SchedGantt and Handoffs: their slider goes above it.
const legendSpace = 30

// newRowsChart is the frame SchedGantt and Handoffs share: time in units
// along x from 0, the rows down y, the title (f's) with the unit in its
// subtitle, the tooltip, the legend below, and f's toolbox and zoom.
func newRowsChart(f frame, subtitle string, rows []string, tooltip string) *charts.Custom {
	if subtitle != "" {
		subtitle += " · "
	}
	c := charts.NewCustom()
	c.SetGlobalOptions(
		charts.WithAnimation(false),
		charts.WithTitleOpts(titleOpts(f.title, fmt.Sprintf("%s1 unit = %v", subtitle, timing.Unit()))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: opts.FuncOpts(tooltip)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "12%", Right: "4%", Top: px(70 + titleTop), Bottom: px(70 + f.below())}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "time (units)", NameLocation: "middle", NameGap: 28, Min: 0}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: rows, Inverse: opts.Bool(true)}),
		f.options(),
	)
	return c
}

// addBars adds a series of bars (values: 0 the row, 1 start, 2 end, ...)
// drawn by render, in color, or in the palette's next colour when color
// is "".
func addBars(c *charts.Custom, name string, data []opts.CustomData, render, color string) {
	o := []charts.SeriesOpts{
		charts.WithCustomChartOpts(opts.CustomChart{RenderItem: opts.FuncOpts(render)}),
		charts.WithEncodeOpts(opts.Encode{X: []int{1, 2}, Y: 0}),
	}
	if color != "" {
		o = append(o, charts.WithItemStyleOpts(opts.ItemStyle{Color: color}))
	}
	c.AddSeries(name, data, o...)
}
