package chart

import (
	"fmt"
	"slices"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/frame"
	"github.com/concurrency-kitchen/course/helpers/chart/internal/jsopt"
	"github.com/concurrency-kitchen/course/helpers/chart/internal/rows"
	"github.com/concurrency-kitchen/course/helpers/internal/round"
	"github.com/concurrency-kitchen/course/helpers/timing"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// ganttTooltip names the task and gives its start, end and duration.
const ganttTooltip = `function (p) {
var v = p.value;
return p.marker + '<b>' + v[3] + '</b> (' + p.seriesName + ')<br/>start ' + v[1].toFixed(2) +
' &middot; end ' + v[2].toFixed(2) + ' &middot; duration ' + (v[2] - v[1]).toFixed(2) + ' units';
}`

// dataPlaces is how many decimals of a unit the charts keep: a thousandth
// of a unit is below what a chart can show, and keeps the page small.
const dataPlaces = 3

// Gantt draws a timeline as a Gantt chart: one row per lane, one bar per
// span, time in units on the x axis. The lanes are in their natural order
// (timing.LanesOf): "worker 2" above "worker 10". The tooltip of a bar
// gives its task, start, end and duration. Spans whose task starts with
// "wait" are drawn in light grey, to tell waiting from working. The chart
// zooms on time with the toolbox's zoom button (drag over the range) and,
// past 40 spans, with a slider under it, never with the mouse wheel, which
// stays the notebook's; its toolbox saves it as a PNG and restores it.
func Gantt(title string, spans []timing.Span) *Chart {
	lanes := timing.LanesOf(spans)
	end := 0.0
	byLane := make(map[string][]opts.CustomData)
	for _, s := range spans {
		start, stop := timing.InUnits(s.Start), timing.InUnits(s.End)
		end = max(end, stop)
		item := opts.CustomData{Value: []any{slices.Index(lanes, s.Lane), round.To(start, dataPlaces), round.To(stop, dataPlaces), s.Task}}
		byLane[s.Lane] = append(byLane[s.Lane], item)
	}

	f := frame.New(title, frame.ZoomFor(len(spans)), 8)
	c := charts.NewCustom()
	c.SetGlobalOptions(
		charts.WithAnimation(false),
		charts.WithTitleOpts(frame.TitleOpts(title, fmt.Sprintf("%d tasks on %d lanes, %.2f units (1 unit = %v)", len(spans), len(lanes), end, timing.Unit()))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: opts.FuncOpts(ganttTooltip)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "12%", Right: "4%", Top: frame.Px(70 + frame.TitleTop), Bottom: frame.Px(50 + f.Below())}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "time (units)", NameLocation: "middle", NameGap: 28, Min: 0}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: lanes, Inverse: opts.Bool(true)}),
		f.Options(),
	)
	for _, lane := range lanes {
		rows.AddBars(c, lane, byLane[lane], rows.GanttRender, "")
	}
	return &Chart{
		title:  title,
		height: 130 + frame.TitleTop + f.Below() + 42*max(1, len(lanes)),
		option: jsopt.Of(c),
	}
}
