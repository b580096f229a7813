package chart

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/page"
	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

func dinnerSpans() []timing.Span {
	u := timing.Unit()
	return []timing.Span{
		{Lane: "pasta", Task: "boil water", Start: 0, End: 3 * u},
		{Lane: "meatballs", Task: "waiting for the GIL", Start: 2 * u, End: 3 * u},
		{Lane: "salad", Task: "chop </script><script>alert(1)</script>", Start: 0, End: 3 * u},
	}
}

// schedStretches are a traced run of two dishes on two Ps, with one
// runtime goroutine.
func schedStretches() []Stretch {
	u := timing.Unit()
	return []Stretch{
		{P: 0, Start: 0, End: u, Lane: "pasta", Goroutine: 8, Thread: 3, Stop: "preempted"},
		{P: 1, Start: u / 2, End: 3 * u / 2, Lane: "salad", Goroutine: 9, Thread: 4, Stop: "blocked (sleep)"},
		{P: 0, Start: u, End: 2 * u, Goroutine: 2, Thread: 3, Stop: "blocked"},
	}
}

func TestChartsBuildOptions(t *testing.T) {
	t.Setenv(timing.UnitEnv, "100ms")
	tests := []struct {
		name  string
		c     *Chart
		wants []string
	}{
		{"gantt", Gantt("Dinner", dinnerSpans()), []string{
			`"type":"custom"`, `"renderItem":function`, `"formatter":function`, `"name":"time (units)"`,
			`"data":["pasta","meatballs","salad"]`, `style.fill = '#cfd3da'`, `1 unit = 100ms`}},
		{"bars", Bars("Six dinners", "time (units)", []string{"a", "b"},
			Series{"Go", []float64{13.0149, 5}}, Series{"seed", []float64{13}}), []string{
			`"type":"bar"`, `"name":"Go"`, `"value":13.01`, `"value":"-"`, `"name":"time (units)"`}},
		{"log bars", LogBars("Starting one", "µs", []string{"goroutine", "thread", "process", "none"},
			Series{"this run", []float64{0.00421, 31.06, 2150.456, 0}}), []string{
			`"type":"log"`, `"value":0.00421`, `"value":31.06`, `"value":2150.46`, `"value":"-"`}},
		{"line", Line("Speed-up", "workers", "speed-up (x)", []float64{1, 2, 4},
			Series{"measured", []float64{1, 1.9}}, Series{"ideal", []float64{1, 2, 4}}), []string{
			`"type":"line"`, `[2,1.9]`, `"name":"workers"`, `"name":"speed-up (x)"`}},
		{"sched gantt", SchedGantt("Who ran where", "GOMAXPROCS 2", 2, schedStretches()), []string{
			`"type":"custom"`, `"formatter":function`, `"data":["P0","P1"]`, `"name":"time (units)"`,
			`"name":"pasta"`, `"name":"salad"`, `"name":"runtime & helpers"`, `"color":"#cfd3da"`,
			`"value":[1,0.5,1.5,"salad",9,4,"blocked (sleep)","100ms"]`, `GOMAXPROCS 2`, `1 unit = 100ms`}},
		{"handoffs", Handoffs("Hand-offs", "GIL model", schedStretches(),
			[]Wait{{Lane: "salad", Start: 0, End: timing.Unit() / 2, Reason: "chan receive"}, {Lane: "pasta", Start: 0, End: timing.Unit(), Reason: "sleep"}},
			[]Wake{{At: timing.Unit() / 2, From: "pasta", To: "salad", Reason: "chan receive"}, {At: 0, From: "pasta", To: "nobody"}}), []string{
			`"data":["pasta","salad"]`, `"name":"waits: chan receive"`, `"name":"waits: sleep"`, `"name":"running"`,
			`"name":"woke"`, `[0.5,0,1,"pasta woke salad (chan receive)"]`, `"color":"#a6cee3"`, `"color":"#f4c77d"`}},
		{"cpu", CPU("CPU use", []time.Duration{100 * time.Millisecond, 200 * time.Millisecond},
			[][]float64{{0.5, 1}, {1, 0.25}}), []string{
			`"type":"line"`, `"name":"core 0"`, `"name":"core 1"`, `"name":"busy (%)"`, `[1,50]`, `[2,25]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := tt.c.Option()
			for _, w := range tt.wants {
				if !strings.Contains(opt, w) {
					t.Errorf("option lacks %s:\n%s", w, opt)
				}
			}
			if strings.Contains(opt, "__f__") {
				t.Error("function markers left in the option")
			}
			frag := tt.c.Fragment()
			if n := strings.Count(strings.ToLower(frag), "</script"); n != 1 {
				t.Errorf("fragment has %d </script, want exactly its own closing tag", n)
			}
			if !strings.Contains(frag, page.MissingLibrary[:30]) {
				t.Error("fragment does not explain a missing library")
			}
		})
	}
}

func TestEmptyGantt(t *testing.T) {
	c := Gantt("Nothing yet", nil)
	if !strings.Contains(c.Option(), "0 tasks on 0 lanes") || c.height <= 0 {
		t.Errorf("empty Gantt: height %d, option %s", c.height, c.Option())
	}
}

func TestShowOutsideNotebookWritesAPage(t *testing.T) {
	dir := t.TempDir()
	defer display.Use(display.Files{Dir: dir})()
	if err := Gantt("Synchronous dinner", dinnerSpans()).Show(); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "synchronous-dinner.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"<!DOCTYPE html>", `version="` + EChartsVersion + `"`, "define, exports, module", "ck-chart"} {
		if !strings.Contains(string(page), w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func TestShowInNotebookSendsTheFragment(t *testing.T) {
	rec := &display.Recorder{}
	defer display.Use(rec)()
	if err := Bars("b", "units", []string{"x"}, Series{"s", []float64{1}}).Show(); err != nil {
		t.Fatal(err)
	}
	got := rec.Of("text/html")
	if len(got) != 1 || strings.Contains(got[0].Body, "<!DOCTYPE") || !strings.Contains(got[0].Body, "ck-chart") {
		t.Errorf("recorded %+v", got)
	}
}

// failingSink is a display sink that cannot show anything.
type failingSink struct{}

func (failingSink) HTML(string, string, func() (string, error)) (string, error) {
	return "", errors.New("no room on the page")
}

func (failingSink) Data(string, string, []byte) (string, error) {
	return "", errors.New("no room on the page")
}

// TestShowSaysWhyItFailed checks that Show prints its error on standard
// error, for the cells that drop it, and returns it too.
func TestShowSaysWhyItFailed(t *testing.T) {
	defer display.Use(failingSink{})()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	err = Gantt("Dinner", dinnerSpans()).Show()
	os.Stderr = stderr
	w.Close()
	printed, _ := io.ReadAll(r)
	r.Close()
	if err == nil || !strings.Contains(err.Error(), "no room on the page") {
		t.Errorf("Show() = %v, want the sink's error", err)
	}
	if want := `✗ showing a chart failed: chart "Dinner": no room on the page`; !strings.Contains(string(printed), want) {
		t.Errorf("Show printed %q on standard error, want %q", printed, want)
	}
}

func TestLibraryPath(t *testing.T) {
	t.Setenv(LibraryEnv, filepath.Join(t.TempDir(), "missing.js"))
	if _, err := LibraryPath(); err == nil || !strings.Contains(err.Error(), LibraryEnv) {
		t.Errorf("a missing %s gave %v", LibraryEnv, err)
	}
	t.Setenv(LibraryEnv, "")
	p, err := LibraryPath()
	if err != nil {
		t.Fatalf("the set-up's library was not found: %v", err)
	}
	if !strings.HasSuffix(p, "node_modules/echarts/dist/echarts.min.js") {
		t.Errorf("LibraryPath() = %s", p)
	}
}

func BenchmarkGantt100(b *testing.B) {
	spans := make([]timing.Span, 100)
	for i := range spans {
		spans[i] = timing.Span{Lane: fmt.Sprintf("worker %d", i%8), Task: fmt.Sprintf("task %d", i),
			Start: time.Duration(i) * time.Millisecond, End: time.Duration(i+5) * time.Millisecond}
	}
	for b.Loop() {
		_ = Gantt("100 spans", spans).Fragment()
	}
}

func TestSpeedUp(t *testing.T) {
	c := SpeedUp("GOMAXPROCS sweep", []float64{1, 2, 4}, []float64{1, 1.93, 1.95}, 2)
	for _, w := range []string{`"markLine"`, `"xAxis":2`, `[2,1.93]`, `[4,4]`, `"type":"dashed"`, "2 cores"} {
		if !strings.Contains(c.Option(), w) {
			t.Errorf("option lacks %s: %s", w, c.Option())
		}
	}
}
