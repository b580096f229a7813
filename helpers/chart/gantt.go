package chart

import (
	"fmt"
	"slices"

	"github.com/concurrency-kitchen/course/helpers/internal/round"
	"github.com/concurrency-kitchen/course/helpers/timing"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// ganttRender draws one span as a bar across its lane: value 0 is the lane
// index, 1 and 2 the start and end in time units, 3 the task, written in
// the bar when it fits; a task that starts with "wait" is painted in
// waitingColor here rather than by a colour stored with every such span,
// which keeps a saved notebook small. (go-echarts puts the
// function on one line and escapes double quotes: single quotes only, no
// comments.)
const ganttRender = `function (params, api) {
var lane = api.value(0);
var start = api.coord([api.value(1), lane]);
var end = api.coord([api.value(2), lane]);
var h = api.size([0, 1])[1] * 0.6;
var rect = echarts.graphic.clipRectByRect(
{x: start[0], y: start[1] - h / 2, width: Math.max(end[0] - start[0], 1), height: h},
{x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height});
if (!rect) { return; }
var task = String(api.ordinalRawValue(3));
var style = api.style({stroke: '#fff', lineWidth: 1, text: ''});
if (task.toLowerCase().indexOf('wait') === 0) { style.fill = '#cfd3da'; }
return {type: 'rect', transition: ['shape'], shape: rect, style: style,
textContent: {style: {text: rect.width > 24 ? task : '', width: rect.width - 6,
overflow: 'truncate', fill: '#1d1d1d', fontSize: 11}}, textConfig: {position: 'inside'}};
}`

// ganttTooltip names the task and gives its start, end and duration.
const ganttTooltip = `function (p) {
var v = p.value;
return p.marker + '<b>' + v[3] + '</b> (' + p.seriesName + ')<br/>start ' + v[1].toFixed(2) +
' &middot; end ' + v[2].toFixed(2) + ' &middot; duration ' + (v[2] - v[1]).toFixed(2) + ' units';
}`

// dataPlaces is how many decimals of a unit the charts keep: a thousandth
// of a unit is below what a chart can show, and keeps the page small.
const dataPlaces = 3

// waitingColor paints spans whose task starts with "wait": time a task
// spent waiting for its turn rather than working.
const waitingColor = "#cfd3da"

// Gantt draws a timeline as a Gantt chart: one row per lane, one bar per
// span, time in units on the x axis. The lanes are in their natural order
// (timing.LanesOf): "worker 2" above "worker 10". The tooltip of a bar
// gives its task, start, end and duration. Spans whose task starts with
// "wait" are drawn in light grey, to tell waiting from working. The chart
// zooms on time with the mouse wheel and by dragging, with the toolbox's
// zoom button, and, past 40 spans, with a slider under it; its toolbox
// saves it as a PNG and restores it.
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

	f := newFrame(title, zoomFor(len(spans)), 8)
	c := charts.NewCustom()
	c.SetGlobalOptions(
		charts.WithAnimation(false),
		charts.WithTitleOpts(titleOpts(title, fmt.Sprintf("%d tasks on %d lanes, %.2f units (1 unit = %v)", len(spans), len(lanes), end, timing.Unit()))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: opts.FuncOpts(ganttTooltip)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "12%", Right: "4%", Top: px(70 + titleTop), Bottom: px(50 + f.below())}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "time (units)", NameLocation: "middle", NameGap: 28, Min: 0}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: lanes, Inverse: opts.Bool(true)}),
		f.options(),
	)
	for _, lane := range lanes {
		c.AddSeries(lane, byLane[lane],
			charts.WithCustomChartOpts(opts.CustomChart{RenderItem: opts.FuncOpts(ganttRender)}),
			charts.WithEncodeOpts(opts.Encode{X: []int{1, 2}, Y: 0}),
		)
	}
	return &Chart{
		title:  title,
		height: 130 + titleTop + f.below() + 42*max(1, len(lanes)),
		option: optionOf(c, jsonOf(&c.BaseConfiguration)),
	}
}
