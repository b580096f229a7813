package chart

import (
	"math"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/frame"
	"github.com/concurrency-kitchen/course/helpers/chart/internal/jsopt"
	"github.com/concurrency-kitchen/course/helpers/internal/round"
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
	return bars(title, yName, "value", categories, series)
}

// LogBars is Bars on a base-10 logarithmic value axis, for measurements
// that span powers of ten, such as what starting a goroutine, an OS
// thread and a process costs. Values that are not positive are left out,
// as a logarithm has none for them. ECharts draws log-axis bars up from 1,
// so a value under 1 hangs down from that line: pick a unit (ns rather than
// µs) that keeps the values above 1.
func LogBars(title, yName string, categories []string, series ...Series) *Chart {
	return bars(title, yName, "log", categories, series)
}

// bars draws Bars on a value axis of the given ECharts type, "value" or
// "log".
func bars(title, yName, axis string, categories []string, series []Series) *Chart {
	c := charts.NewBar()
	c.SetGlobalOptions(append(seriesChartOpts(title, opts.Grid{Left: "10%", Right: "4%", Top: frame.Px(80 + frame.TitleTop), Bottom: "60"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: categories, AxisLabel: &opts.AxisLabel{Interval: "0"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: axis, Name: yName, NameLocation: "middle", NameGap: 50}),
	)...)
	c.SetXAxis(categories)
	for _, s := range series {
		data := make([]opts.BarData, len(categories))
		for i := range data {
			v := math.NaN() // missing
			if i < len(s.Values) {
				v = s.Values[i]
			}
			if math.IsNaN(v) || math.IsInf(v, 0) || (axis == "log" && v <= 0) {
				data[i] = opts.BarData{Value: "-"}
			} else {
				data[i] = opts.BarData{Value: roundLabel(v)}
			}
		}
		c.AddSeries(s.Name, data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top"}))
	}
	return &Chart{title: title, height: 400 + frame.TitleTop, option: jsopt.Of(c)}
}

// roundLabel rounds a bar's value for its label: to hundredths, or to
// three significant digits for values under one, so that 0.0042 does not
// become 0.
func roundLabel(v float64) float64 {
	places := 2
	if v != 0 && math.Abs(v) < 1 {
		places = 2 - int(math.Floor(math.Log10(math.Abs(v))))
	}
	return round.To(v, places)
}

// seriesChartOpts are the options bar and line charts share: no animation
// (a chart is a measurement, drawn at once), a title, an axis tooltip, a
// legend under the title, the grid's margins, and the toolbox that saves
// the chart as a PNG.
func seriesChartOpts(title string, grid opts.Grid) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithAnimation(false),
		charts.WithTitleOpts(frame.TitleOpts(title, "")),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: frame.Px(30 + frame.TitleTop)}),
		charts.WithGridOpts(grid),
		frame.New(title, frame.NoZoom, 0).Options(),
	}
}
