package chart

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/frame"
	"github.com/concurrency-kitchen/course/helpers/chart/internal/rows"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// optionJSON parses a chart's option, with each JavaScript function made
// the string "function", so that a test can read it as JSON.
func optionJSON(t *testing.T, c *Chart) map[string]any {
	t.Helper()
	opt := c.Option()
	var b strings.Builder
	inString := false
	for i := 0; i < len(opt); i++ {
		ch := opt[i]
		switch {
		case inString:
			b.WriteByte(ch)
			if ch == '\\' && i+1 < len(opt) {
				i++
				b.WriteByte(opt[i])
			} else if ch == '"' {
				inString = false
			}
		case ch == '"':
			inString = true
			b.WriteByte(ch)
		case strings.HasPrefix(opt[i:], "function"):
			// Skip to the brace that closes the body; the course's
			// functions quote with single quotes only.
			depth, quoted := 0, false
			j := strings.IndexByte(opt[i:], '{') + i
			for ; j < len(opt); j++ {
				switch c := opt[j]; {
				case quoted:
					if c == '\'' {
						quoted = false
					}
				case c == '\'':
					quoted = true
				case c == '{':
					depth++
				case c == '}':
					depth--
				}
				if depth == 0 {
					break
				}
			}
			b.WriteString(`"function"`)
			i = j
		default:
			b.WriteByte(ch)
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(b.String()), &m); err != nil {
		t.Fatalf("option is not JSON with functions: %v\n%s", err, b.String())
	}
	return m
}

// at returns the value at path in an option: keys of objects, indexes
// of arrays ("0"), or nil if there is none.
func at(v any, path ...string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			var i int
			if _, err := fmt.Sscan(p, &i); err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// numberedSpans returns n spans on lanes "worker 1" to "worker 4", which
// first appear in the order 4, 3, 1, 2.
func numberedSpans(n int) []timing.Span {
	u := timing.Unit()
	order := []int{4, 3, 1, 2}
	spans := make([]timing.Span, n)
	for i := range spans {
		start := time.Duration(i/4) * u
		spans[i] = timing.Span{Lane: fmt.Sprintf("worker %d", order[i%4]), Task: fmt.Sprintf("job %d", i), Start: start, End: start + u*9/10}
	}
	return spans
}

// numberedStretches returns n stretches on two Ps, of goroutines working
// for lanes "worker 4" down to "worker 1".
func numberedStretches(n int) []Stretch {
	u := timing.Unit()
	st := make([]Stretch, n)
	for i := range st {
		st[i] = Stretch{P: i % 2, Start: time.Duration(i) * u / 2, End: time.Duration(i)*u/2 + u/3,
			Lane: fmt.Sprintf("worker %d", 4-i%4), Goroutine: int64(i), Stop: "preempted"}
	}
	return st
}

// numberedWaits returns n waits of lanes "worker 3", "worker 1", "worker 2".
func numberedWaits(n int) []Wait {
	u := timing.Unit()
	ws := make([]Wait, n)
	for i := range ws {
		ws[i] = Wait{Lane: fmt.Sprintf("worker %d", []int{3, 1, 2}[i%3]), Start: time.Duration(i) * u, End: time.Duration(i)*u + u/2, Reason: "sleep"}
	}
	return ws
}

func TestChartFrames(t *testing.T) {
	t.Setenv(timing.UnitEnv, "100ms")
	tests := []struct {
		name     string
		c        *Chart
		file     string // the saved image's name
		zoom     bool   // the toolbox zooms (a hidden slider tells it to keep bars across the edges)
		slider   bool
		subtitle bool
	}{
		{name: "gantt, few spans", c: Gantt("Dinner", dinnerSpans()), file: "dinner", zoom: true, subtitle: true},
		{name: "gantt, 40 spans", c: Gantt("Forty", numberedSpans(frame.ManyBars)), file: "forty", zoom: true, subtitle: true},
		{name: "gantt, 41 spans", c: Gantt("Forty-one: a pool's jobs", numberedSpans(frame.ManyBars+1)), file: "forty-one-a-pool-s-jobs", zoom: true, slider: true, subtitle: true},
		{name: "empty gantt", c: Gantt("Nothing yet", nil), file: "nothing-yet", zoom: true, subtitle: true},
		{name: "sched gantt", c: SchedGantt("Who ran where", "GOMAXPROCS 2", 2, schedStretches()), file: "who-ran-where", zoom: true, subtitle: true},
		{name: "sched gantt, many stretches", c: SchedGantt("Who ran where", "", 2, numberedStretches(60)), file: "who-ran-where", zoom: true, slider: true, subtitle: true},
		{name: "handoffs", c: Handoffs("Hand-offs", "", schedStretches(), nil, nil), file: "hand-offs", zoom: true, subtitle: true},
		{name: "handoffs, many bars", c: Handoffs("Hand-offs", "", numberedStretches(30), numberedWaits(11), nil), file: "hand-offs", zoom: true, slider: true, subtitle: true},
		{name: "bars", c: Bars("Six dinners", "time (units)", []string{"a"}, Series{"Go", []float64{1}}), file: "six-dinners"},
		{name: "log bars", c: LogBars("Starting one", "µs", []string{"a"}, Series{"Go", []float64{1}}), file: "starting-one"},
		{name: "line", c: Line("Speed-up", "workers", "x", []float64{1, 2}, Series{"s", []float64{1, 2}}), file: "speed-up"},
		{name: "speed-up", c: SpeedUp("GOMAXPROCS sweep", []float64{1, 2}, []float64{1, 1.9}, 2), file: "gomaxprocs-sweep", subtitle: true},
		{name: "cpu", c: CPU("CPU use", []time.Duration{time.Second}, [][]float64{{0.5}}), file: "cpu-use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Package frame tests what a frame holds; here, that each chart
			// has one, named and zooming as it should.
			o := optionJSON(t, tt.c)
			if got := at(o, "toolbox", "feature", "saveAsImage", "name"); got != tt.file {
				t.Errorf("toolbox.feature.saveAsImage.name = %v, want %q", got, tt.file)
			}
			if zoom := at(o, "toolbox", "feature", "dataZoom"); tt.zoom != (zoom != nil) {
				t.Errorf("toolbox.feature.dataZoom = %v, want one: %v", zoom, tt.zoom)
			}
			zooms, _ := at(o, "dataZoom").([]any)
			if tt.zoom != (len(zooms) == 1) || len(zooms) == 1 && (at(zooms[0], "type") != "slider" || at(zooms[0], "show") != tt.slider) {
				t.Errorf("dataZoom %v, want a slider (%v) that shows: %v", zooms, tt.zoom, tt.slider)
			}
			if at(o, "title", "top") != frame.Px(frame.TitleTop) || at(o, "media") == nil {
				t.Errorf("title %v, media %v: want the frame's title, which ends before the toolbox", at(o, "title"), at(o, "media"))
			}
			if got := at(o, "title", "subtext") != nil; got != tt.subtitle {
				t.Errorf("subtitle %v, want one: %v", at(o, "title", "subtext"), tt.subtitle)
			}
			// The plot starts below the title and subtitle.
			var top int
			fmt.Sscan(fmt.Sprint(at(o, "grid", "0", "top")), &top)
			if low := frame.TitleTop + 50 + 20*b2i(tt.subtitle); top < low {
				t.Errorf("grid.top = %d, want at least %d below the title", top, low)
			}
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestSliderHasRoom checks that a chart with a slider is taller by the
// slider's room, and that its grid leaves that room under the plot.
func TestSliderHasRoom(t *testing.T) {
	tests := []struct {
		name          string
		few, many     *Chart
		sliderBottom  float64
		gridBottomFew int
	}{
		{"gantt", Gantt("g", numberedSpans(8)), Gantt("g", numberedSpans(60)), 8, 50},
		{"sched gantt", SchedGantt("s", "", 2, numberedStretches(8)), SchedGantt("s", "", 2, numberedStretches(60)), rows.LegendSpace, 70},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			few, many := optionJSON(t, tt.few), optionJSON(t, tt.many)
			if got := at(few, "grid", "0", "bottom"); got != frame.Px(tt.gridBottomFew) {
				t.Errorf("without a slider grid.bottom = %v, want %d", got, tt.gridBottomFew)
			}
			if got := at(many, "grid", "0", "bottom"); got != frame.Px(tt.gridBottomFew+frame.SliderSpace) {
				t.Errorf("with a slider grid.bottom = %v, want %d", got, tt.gridBottomFew+frame.SliderSpace)
			}
			if d := tt.many.height - tt.few.height; d != frame.SliderSpace {
				t.Errorf("the slider adds %d pixels of height, want %d", d, frame.SliderSpace)
			}
			slider := at(many, "dataZoom", "0")
			if at(slider, "bottom") != tt.sliderBottom || at(slider, "height") != float64(frame.SliderHeight) {
				t.Errorf("slider %v, want bottom %v and height %d", slider, tt.sliderBottom, frame.SliderHeight)
			}
		})
	}
}

// TestLanesInNaturalOrder checks the rows and legends of the charts along
// time: numbered lanes by number, others where they first appeared.
func TestLanesInNaturalOrder(t *testing.T) {
	u := timing.Unit()
	withMain := append([]timing.Span{{Lane: "main", Task: "start", Start: 0, End: u}}, numberedSpans(8)...)
	workers := []any{"worker 1", "worker 2", "worker 3", "worker 4"}
	tests := []struct {
		name string
		c    *Chart
		path []string
		want []any
	}{
		{"gantt rows", Gantt("g", numberedSpans(8)), []string{"yAxis", "0", "data"}, workers},
		{"gantt rows after main", Gantt("g", withMain), []string{"yAxis", "0", "data"}, append([]any{"main"}, workers...)},
		{"gantt rows without numbers", Gantt("g", dinnerSpans()), []string{"yAxis", "0", "data"}, []any{"pasta", "meatballs", "salad"}},
		{"handoffs rows", Handoffs("h", "", numberedStretches(8), numberedWaits(3), nil), []string{"yAxis", "0", "data"}, workers},
		{"sched rows", SchedGantt("s", "", 2, numberedStretches(8)), []string{"yAxis", "0", "data"}, []any{"P0", "P1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := at(optionJSON(t, tt.c), tt.path...).([]any); !slices.Equal(got, tt.want) {
				t.Errorf("%s = %v, want %v", strings.Join(tt.path, "."), got, tt.want)
			}
		})
	}
	// SchedGantt's series (and legend entries) follow the lanes' order.
	var names []any
	for _, s := range at(optionJSON(t, SchedGantt("s", "", 2, numberedStretches(8))), "series").([]any) {
		names = append(names, at(s, "name"))
	}
	if !slices.Equal(names, workers) {
		t.Errorf("SchedGantt series %v, want %v", names, workers)
	}
}
