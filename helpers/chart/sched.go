package chart

import (
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/internal/round"
	"github.com/concurrency-kitchen/course/helpers/sched"
	"github.com/concurrency-kitchen/course/helpers/timing"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// schedTooltip names the goroutine and its lane, where it ran, for how
// long, and why it stopped. Values: 0 the P's row, 1 start, 2 end, 3 the
// label, 4 the goroutine, 5 the OS thread, 6 why it stopped.
const schedTooltip = `function (p) {
var v = p.value;
return p.marker + '<b>' + p.seriesName + '</b> &middot; goroutine ' + v[4] + '<br/>running on P' + v[0] +
', OS thread ' + v[5] + '<br/>start ' + v[1].toFixed(3) + ' &middot; end ' + v[2].toFixed(3) +
' &middot; duration ' + (v[2] - v[1]).toFixed(3) + ' units<br/>then: ' + v[6];
}`

// othersName is the legend entry of the goroutines that are not the
// lesson's: the runtime's and the helpers'.
const othersName = "runtime & helpers"

// SchedGantt draws what the scheduler did in a traced run: one row per P,
// one bar per stretch a goroutine ran there, coloured by goroutine and
// named after the course's timeline lanes; the runtime's and the helpers'
// goroutines are drawn in grey. The x axis is time in units on the same
// clock as the run's timeline, so the chart lines up with Gantt's. The
// tooltip of a bar gives the goroutine, its P and OS thread, its start,
// end and duration, and why it stopped running (blocked and on what,
// preempted, yield, exit).
func SchedGantt(title string, run *sched.Run) *Chart {
	procs := max(run.GOMAXPROCS, 1)
	for _, g := range append(run.Goroutines[:len(run.Goroutines):len(run.Goroutines)], run.Others...) {
		for _, s := range g.Slices {
			procs = max(procs, s.P+1)
		}
	}
	rows := make([]string, procs)
	for i := range rows {
		rows[i] = fmt.Sprintf("P%d", i)
	}
	items := func(gs []*sched.Goroutine, label string) []opts.CustomData {
		var out []opts.CustomData
		for _, g := range gs {
			name := label
			if name == "" {
				name = g.Lane
			}
			for _, s := range g.Slices {
				if s.P < 0 {
					continue
				}
				stop := s.Stop
				if s.Reason != "" {
					stop += " (" + s.Reason + ")"
				}
				out = append(out, opts.CustomData{Name: name, Value: []any{s.P,
					round.To(timing.InUnits(s.Start), dataPlaces), round.To(timing.InUnits(s.End), dataPlaces),
					name, g.ID, s.Thread, stop}})
			}
		}
		return out
	}

	sum := run.Summary()
	c := charts.NewCustom()
	c.SetGlobalOptions(
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Title: title, Subtitle: fmt.Sprintf(
			"GOMAXPROCS %d · %d goroutines on %d Ps and %d OS threads · %d preemptions, %d migrations (1 unit = %v)",
			sum.GOMAXPROCS, sum.Goroutines, sum.ProcsUsed, sum.Threads, sum.Preemptions, sum.Migrations, timing.Unit())}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: opts.FuncOpts(schedTooltip)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "12%", Right: "4%", Top: "70", Bottom: "70"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "time (units)", NameLocation: "middle", NameGap: 28, Min: 0}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: rows, Inverse: opts.Bool(true)}),
	)
	for _, lane := range run.Lanes() {
		c.AddSeries(lane, items(run.Lane(lane), ""),
			charts.WithCustomChartOpts(opts.CustomChart{RenderItem: opts.FuncOpts(ganttRender)}),
			charts.WithEncodeOpts(opts.Encode{X: []int{1, 2}, Y: 0}),
		)
	}
	if others := items(run.Others, othersName); len(others) > 0 {
		c.AddSeries(othersName, others,
			charts.WithCustomChartOpts(opts.CustomChart{RenderItem: opts.FuncOpts(ganttRender)}),
			charts.WithEncodeOpts(opts.Encode{X: []int{1, 2}, Y: 0}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: waitingColor}),
		)
	}
	return &Chart{
		title:  title,
		height: 160 + 42*procs,
		option: optionOf(c, jsonOf(&c.BaseConfiguration)),
	}
}
