package rows

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/frame"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// TestRenders runs the bar functions in Node.js with a stand-in of
// ECharts' api: 10 pixels a unit, rows 50 pixels apart, a plot 1000
// pixels wide.
func TestRenders(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("Node.js is not installed")
	}
	const stage = `var echarts = {graphic: {clipRectByRect: function (a, b) {
  var x1 = Math.max(a.x, b.x), x2 = Math.min(a.x + a.width, b.x + b.width);
  return x2 > x1 ? {x: x1, y: a.y, width: x2 - x1, height: a.height} : undefined;
}}};
var v = JSON.parse(process.argv[1]);
var api = {value: function (i) { return v[i]; }, ordinalRawValue: function (i) { return v[i]; },
  coord: function (p) { return [10 * p[0], 50 * p[1]]; }, size: function () { return [0, 50]; },
  style: function (s) { return Object.assign({fill: 'palette'}, s); }};
var el = render({coordSys: {x: 0, y: 0, width: 1000, height: 500}}, api);
console.log(JSON.stringify(el ? {width: el.shape.width, height: el.shape.height, fill: el.style.fill,
  text: el.textContent ? el.textContent.style.text : null} : null));`
	type drawn struct {
		Width, Height float64
		Fill          string
		Text          *string
	}
	text := func(s string) *string { return &s }
	tests := []struct {
		name, render string
		values       []any
		want         *drawn // nil: nothing drawn
	}{
		{"a span with its task written in it", GanttRender, []any{1, 2, 12, "chop"}, &drawn{100, 30, "palette", text("chop")}},
		{"a span too narrow for its task", GanttRender, []any{0, 2, 4, "chop"}, &drawn{20, 30, "palette", text("")}},
		{"a wait", GanttRender, []any{0, 2, 12, "Waiting for the GIL"}, &drawn{100, 30, WaitingColor, text("Waiting for the GIL")}},
		{"a span of no time is a pixel wide", GanttRender, []any{0, 5, 5, "x"}, &drawn{1, 30, "palette", text("")}},
		{"a span past the plot's edge is clipped", GanttRender, []any{0, 95, 120, "x"}, &drawn{50, 30, "palette", text("x")}},
		{"a span outside the plot is not drawn", GanttRender, []any{0, 200, 300, "x"}, nil},
		{"a stretch", TickRender, []any{0, 2, 12}, &drawn{100, 30, "palette", nil}},
		{"a stretch of microseconds is a tick", TickRender, []any{0, 5, 5.0001}, &drawn{3, 30, "palette", nil}},
		{"a stretch outside the plot is not drawn", TickRender, []any{0, -30, -20}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values, _ := json.Marshal(tt.values)
			out, err := exec.Command(node, "-e", "var render = "+tt.render+";\n"+stage, string(values)).CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			var got *drawn
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tt.want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("drew %s, want %s", gotJSON, wantJSON)
			}
		})
	}
}

func TestRendersAreOneLineOfCode(t *testing.T) {
	for name, fn := range map[string]string{"GanttRender": GanttRender, "TickRender": TickRender} {
		if strings.Contains(fn, `"`) || strings.Contains(fn, "//") || !strings.HasPrefix(fn, "function (params, api) {") || !strings.HasSuffix(fn, "\n}") {
			t.Errorf("%s is not a function of single quotes only, without comments:\n%s", name, fn)
		}
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name, subtitle string
		f              frame.Frame
		gridBottom     string
		wantSubtitle   string
	}{
		{"no slider", "GOMAXPROCS 2", frame.New("t", frame.ZoomInside, LegendSpace), "70", "GOMAXPROCS 2 · 1 unit = "},
		{"a slider above the legend", "", frame.New("t", frame.ZoomSlider, LegendSpace), frame.Px(70 + frame.SliderSpace), "1 unit = "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(tt.f, tt.subtitle, []string{"P0", "P1"}, "function (p) { return ''; }")
			AddBars(c, "lane", []opts.CustomData{{Value: []any{0, 1, 2}}}, TickRender, "")
			AddBars(c, "others", nil, TickRender, WaitingColor)
			c.Validate()
			var o struct {
				Title  struct{ Subtext string }
				Grid   []struct{ Bottom string }
				YAxis  []struct{ Data []string }
				Series []struct {
					Name      string
					Encode    struct{ X []int }
					ItemStyle *struct{ Color string }
				}
			}
			if err := json.Unmarshal([]byte(c.JSONNotEscaped()), &o); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(o.Title.Subtext, tt.wantSubtitle) {
				t.Errorf("subtitle %q, want it to start %q", o.Title.Subtext, tt.wantSubtitle)
			}
			if len(o.Grid) != 1 || o.Grid[0].Bottom != tt.gridBottom {
				t.Errorf("grid %+v, want bottom %s", o.Grid, tt.gridBottom)
			}
			if len(o.YAxis) != 1 || strings.Join(o.YAxis[0].Data, ",") != "P0,P1" {
				t.Errorf("rows %+v, want P0, P1", o.YAxis)
			}
			if len(o.Series) != 2 || o.Series[0].ItemStyle != nil || o.Series[1].ItemStyle == nil || o.Series[1].ItemStyle.Color != WaitingColor {
				t.Errorf("series %+v: want the palette's colour, then %s", o.Series, WaitingColor)
			}
		})
	}
}

func TestRoundDuration(t *testing.T) {
	tests := []struct{ d, want time.Duration }{
		{0, 0},
		{999 * time.Nanosecond, 999 * time.Nanosecond},
		{23_456 * time.Nanosecond, 23_500 * time.Nanosecond},
		{10_240 * time.Microsecond, 10_200 * time.Microsecond},
		{1_234_567 * time.Microsecond, 1_230 * time.Millisecond},
		{90 * time.Minute, 90 * time.Minute},
	}
	for _, tt := range tests {
		if got := RoundDuration(tt.d); got != tt.want {
			t.Errorf("RoundDuration(%v) = %v, want %v", tt.d, got, tt.want)
		}
	}
}
