package chart

import (
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Line draws one line per series over numeric x values, such as a speed-up
// against the number of workers. xName and yName are the axis names with
// their units.
func Line(title, xName, yName string, x []float64, series ...Series) *Chart {
	c := charts.NewLine()
	c.SetGlobalOptions(
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "30"}),
		charts.WithGridOpts(opts.Grid{Left: "8%", Right: "6%", Top: "80", Bottom: "60"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: xName, NameLocation: "middle", NameGap: 28}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: yName}),
	)
	for _, s := range series {
		n := min(len(x), len(s.Values))
		data := make([]opts.LineData, n)
		for i := range n {
			data[i] = opts.LineData{Value: []float64{x[i], round(s.Values[i])}}
		}
		c.AddSeries(s.Name, data, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)}))
	}
	return &Chart{title: title, height: 400, option: optionOf(c, jsonOf(&c.BaseConfiguration))}
}
