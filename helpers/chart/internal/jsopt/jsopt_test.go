package jsopt

import (
	"strings"
	"testing"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

func TestOf(t *testing.T) {
	tests := []struct {
		name    string
		chart   func() Chart
		wants   []string
		unwants []string
	}{
		{"functions are code",
			func() Chart {
				c := charts.NewCustom()
				c.SetGlobalOptions(charts.WithTooltipOpts(opts.Tooltip{Formatter: opts.FuncOpts("function (p) { return p.name; }")}))
				return c
			},
			[]string{`"formatter":function (p) { return p.name; }`}, []string{"__f__"}},
		{"an item of a value only is the value",
			func() Chart {
				c := charts.NewLine()
				c.AddSeries("s", []opts.LineData{{Value: []float64{1, 2}}, {Value: []float64{3, 4}}})
				return c
			},
			[]string{`"data":[[1,2],[3,4]]`}, []string{`"value"`}},
		{"an item with more than a value stays an object",
			func() Chart {
				c := charts.NewCustom()
				c.AddSeries("s", []opts.CustomData{{Name: "lane", Value: []any{0, 1}}})
				return c
			},
			[]string{`{"name":"lane","value":[0,1]}`}, nil},
		{"the chart is validated first",
			func() Chart {
				c := charts.NewBar()
				c.SetXAxis([]string{"a", "b"})
				return c
			},
			[]string{`"data":["a","b"]`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Of(tt.chart())
			for _, w := range tt.wants {
				if !strings.Contains(got, w) {
					t.Errorf("option lacks %s:\n%s", w, got)
				}
			}
			for _, w := range tt.unwants {
				if strings.Contains(got, w) {
					t.Errorf("option has %s:\n%s", w, got)
				}
			}
		})
	}
}

func TestShare(t *testing.T) {
	tests := []struct {
		name, option, defs, shared string
	}{
		{"a function repeated is named once",
			`{"series":[{"renderItem":function (p, a) {if (x) { return {y: 1}; }}},{"renderItem":function (p, a) {if (x) { return {y: 1}; }}}]}`,
			"var ckFn0 = function (p, a) {if (x) { return {y: 1}; }};\n  ",
			`{"series":[{"renderItem":ckFn0},{"renderItem":ckFn0}]}`},
		{"two functions repeated are named in the order they came",
			`[function (a) {1},function (b) {2},function (a) {1},function (b) {2}]`,
			"var ckFn0 = function (a) {1};\n  var ckFn1 = function (b) {2};\n  ",
			`[ckFn0,ckFn1,ckFn0,ckFn1]`},
		{"a function once stays where it is",
			`{"tooltip":{"formatter":function (p) {return p.name;}},"series":[]}`,
			"", `{"tooltip":{"formatter":function (p) {return p.name;}},"series":[]}`},
		{"no functions", `{"a":1}`, "", `{"a":1}`},
		{"braces that do not close are left alone", `{"f":function (p) {`, "", `{"f":function (p) {`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defs, shared := Share(tt.option)
			if defs != tt.defs || shared != tt.shared {
				t.Errorf("Share(%q)\n = %q, %q\nwant %q, %q", tt.option, defs, shared, tt.defs, tt.shared)
			}
		})
	}
}
