package chart

import (
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/frame"
	"github.com/concurrency-kitchen/course/helpers/chart/internal/jsopt"
	"github.com/concurrency-kitchen/course/helpers/internal/round"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Line draws one line per series over numeric x values, such as a speed-up
// against the number of workers. xName and yName are the axis names with
// their units.
func Line(title, xName, yName string, x []float64, series ...Series) *Chart {
	c := charts.NewLine()
	c.SetGlobalOptions(append(seriesChartOpts(title, opts.Grid{Left: "8%", Right: "6%", Top: frame.Px(80 + frame.TitleTop), Bottom: "60"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: xName, NameLocation: "middle", NameGap: 28}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: yName}),
	)...)
	for _, s := range series {
		n := min(len(x), len(s.Values))
		data := make([]opts.LineData, n)
		for i := range n {
			data[i] = opts.LineData{Value: []float64{x[i], round.To(s.Values[i], dataPlaces)}}
		}
		c.AddSeries(s.Name, data, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)}))
	}
	return &Chart{title: title, height: 400 + frame.TitleTop, option: jsopt.Of(c)}
}

// SpeedUp draws measured speed-ups against the number of workers (or
// GOMAXPROCS), with the ideal line (speed-up = workers) and a vertical
// line at the machine's core count, past which no CPU-bound work can
// gain.
func SpeedUp(title string, workers, speedups []float64, cores int) *Chart {
	c := charts.NewLine()
	c.SetGlobalOptions(
		charts.WithAnimation(false),
		charts.WithTitleOpts(frame.TitleOpts(title, fmt.Sprintf("this machine has %d cores", cores))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: frame.Px(40 + frame.TitleTop)}),
		charts.WithGridOpts(opts.Grid{Left: "8%", Right: "8%", Top: frame.Px(90 + frame.TitleTop), Bottom: "60"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "workers", NameLocation: "middle", NameGap: 28, Min: 0}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "speed-up (x)"}),
		frame.New(title, frame.NoZoom, 0).Options(),
	)
	measured := make([]opts.LineData, 0, len(workers))
	ideal := make([]opts.LineData, 0, len(workers))
	for i := range min(len(workers), len(speedups)) {
		measured = append(measured, opts.LineData{Value: []float64{workers[i], round.To(speedups[i], dataPlaces)}})
		ideal = append(ideal, opts.LineData{Value: []float64{workers[i], workers[i]}})
	}
	c.AddSeries("measured", measured,
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)}),
		charts.WithMarkLineNameXAxisItemOpts(opts.MarkLineNameXAxisItem{Name: fmt.Sprintf("%d cores", cores), XAxis: cores}))
	c.AddSeries("ideal (speed-up = workers)", ideal,
		charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	return &Chart{title: title, height: 400 + frame.TitleTop, option: jsopt.Of(c)}
}
