// Package rows holds what the course's charts along time (Gantt,
// SchedGantt, Handoffs) share: a custom chart with time in units along x
// and named rows down y, series of bars on those rows, and the JavaScript
// functions that draw the bars. A bar's values are 0 its row, 1 its start
// and 2 its end in time units, then what the chart's tooltip reads.
package rows

import (
	"fmt"
	"strconv"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/frame"
	"github.com/concurrency-kitchen/course/helpers/timing"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// WaitingColor paints time spent waiting rather than working: Gantt's
// spans whose task starts with "wait", and the goroutines that are not
// the lesson's in SchedGantt.
const WaitingColor = "#cfd3da"

// LegendSpace is the height, in pixels, of the legend at the bottom of a
// chart made by New: its slider goes above it.
const LegendSpace = 30

// barFunction returns a render function that draws a bar from its start
// to its end on its row, at least minWidth pixels wide, clipped to the
// plot (a zoomed chart keeps the bars across the window's edges), and
// then runs draw, which returns the element from rect. (go-echarts puts
// a function on one line and escapes double quotes: single quotes only,
// no comments.)
func barFunction(minWidth int, draw string) string {
	return `function (params, api) {
var lane = api.value(0);
var start = api.coord([api.value(1), lane]);
var end = api.coord([api.value(2), lane]);
var h = api.size([0, 1])[1] * 0.6;
var rect = echarts.graphic.clipRectByRect(
{x: start[0], y: start[1] - h / 2, width: Math.max(end[0] - start[0], ` + strconv.Itoa(minWidth) + `), height: h},
{x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height});
if (!rect) { return; }
` + draw + "}"
}

// GanttRender draws one span as a bar across its lane, with a white
// border: value 3 is the task, written in the bar when it fits; a task
// that starts with "wait" is painted in WaitingColor here rather than by a
// colour stored with every such span, which keeps a saved notebook small.
var GanttRender = barFunction(1, `var task = String(api.ordinalRawValue(3));
var style = api.style({stroke: '#fff', lineWidth: 1, text: ''});
if (task.toLowerCase().indexOf('wait') === 0) { style.fill = '`+WaitingColor+`'; }
return {type: 'rect', transition: ['shape'], shape: rect, style: style,
textContent: {style: {text: rect.width > 24 ? task : '', width: rect.width - 6,
overflow: 'truncate', fill: '#1d1d1d', fontSize: 11}}, textConfig: {position: 'inside'}};
`)

// TickRender draws a stretch a goroutine ran like GanttRender draws a
// span, but at least 3 pixels wide and with no white border or text, so
// that a stretch of microseconds on an axis of seconds still shows as a
// tick.
var TickRender = barFunction(3, `return {type: 'rect', shape: rect, style: api.style({text: ''})};
`)

// New returns the chart that SchedGantt and Handoffs share: time in units
// along x from 0, the rows down y, the title (f's) with the unit in its
// subtitle, the tooltip (a JavaScript function), the legend below, and
// f's toolbox and zoom.
func New(f frame.Frame, subtitle string, rows []string, tooltip string) *charts.Custom {
	if subtitle != "" {
		subtitle += " · "
	}
	c := charts.NewCustom()
	c.SetGlobalOptions(
		charts.WithAnimation(false),
		charts.WithTitleOpts(frame.TitleOpts(f.Title(), fmt.Sprintf("%s1 unit = %v", subtitle, timing.Unit()))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: opts.FuncOpts(tooltip)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "12%", Right: "4%", Top: frame.Px(70 + frame.TitleTop), Bottom: frame.Px(70 + f.Below())}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "time (units)", NameLocation: "middle", NameGap: 28, Min: 0}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: rows, Inverse: opts.Bool(true)}),
		f.Options(),
	)
	return c
}

// AddBars adds a series of bars (values: 0 the row, 1 start, 2 end, ...)
// drawn by render, in color, or in the palette's next colour when color
// is "".
func AddBars(c *charts.Custom, name string, data []opts.CustomData, render, color string) {
	o := []charts.SeriesOpts{
		charts.WithCustomChartOpts(opts.CustomChart{RenderItem: opts.FuncOpts(render)}),
		charts.WithEncodeOpts(opts.Encode{X: []int{1, 2}, Y: 0}),
	}
	if color != "" {
		o = append(o, charts.WithItemStyleOpts(opts.ItemStyle{Color: color}))
	}
	c.AddSeries(name, data, o...)
}

// RoundDuration keeps three significant figures of d, for a tooltip:
// 23.4µs, 10.2ms.
func RoundDuration(d time.Duration) time.Duration {
	for r := time.Duration(1); r < time.Hour; r *= 10 {
		if d < 1000*r {
			return d.Round(r)
		}
	}
	return d.Round(time.Second)
}
