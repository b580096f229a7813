package chart

import (
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// A Series is one named row of values: one bar per category, or one point
// per x value.
type Series struct {
	Name   string
	Values []float64
}

// Bars draws grouped bars: one group per category (a variant of an
// experiment), one bar per series in each group. A series named after the
// seed's printed figure sits beside the measured one as a reference. yName
// is the value axis name with its unit, such as "time (units)". Missing
// values (a series shorter than categories, or NaN) are left out.
func Bars(title, yName string, categories []string, series ...Series) *Chart {
	c := charts.NewBar()
	c.SetGlobalOptions(append(seriesChartOpts(title, opts.Grid{Left: "10%", Right: "4%", Top: "80", Bottom: "60"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: categories, AxisLabel: &opts.AxisLabel{Interval: "0"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: yName, NameLocation: "middle", NameGap: 40}),
	)...)
	c.SetXAxis(categories)
	for _, s := range series {
		data := make([]opts.BarData, len(categories))
		for i := range data {
			if i < len(s.Values) && !math.IsNaN(s.Values[i]) {
				data[i] = opts.BarData{Value: math.Round(s.Values[i]*100) / 100}
			} else {
				data[i] = opts.BarData{Value: "-"}
			}
		}
		c.AddSeries(s.Name, data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top"}))
	}
	return &Chart{title: title, height: 400, option: optionOf(c, jsonOf(&c.BaseConfiguration))}
}

// seriesChartOpts are the options bar and line charts share: no animation
// (a chart is a measurement, drawn at once), a title, an axis tooltip, a
// legend under the title, and the grid's margins.
func seriesChartOpts(title string, grid opts.Grid) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "30"}),
		charts.WithGridOpts(grid),
	}
}
