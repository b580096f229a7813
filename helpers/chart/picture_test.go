package chart

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/picture"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// TestPictures draws a picture of each kind of chart with a renderer of a
// stand-in kernel (a sleep process): the options the charts write must be
// ones ECharts' server-side renderer draws.
func TestPictures(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("Node.js is not installed: the pictures are not drawn without it")
	}
	if libraryFile() == "" {
		t.Skip("the ECharts library is not installed")
	}
	kernel := exec.Command("sleep", "60")
	if err := kernel.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { kernel.Process.Kill(); kernel.Wait() }()
	// A short directory: a unix socket's path holds at most about 100 bytes.
	dir, err := os.MkdirTemp("", "ck-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	r := &picture.Renderer{Dir: filepath.Join(dir, "charts"), Kernel: kernel.Process.Pid,
		Lib: libraryFile, Start: 20 * time.Second, Reply: 20 * time.Second}

	spans := []timing.Span{
		{Lane: "cook", Task: "chop", Start: 0, End: timing.Units(2)},
		{Lane: "waiter", Task: "waiting for the cook", Start: timing.Units(1), End: timing.Units(3)},
	}
	tests := []struct {
		c     *Chart
		wants []string // in the picture, besides the title
	}{
		{Gantt("dinner", spans), []string{"waiter"}},
		{Bars("speed-up", "x", []string{"a", "b"}, Series{Name: "run", Values: []float64{1, 2}}), []string{"run"}},
		{LogBars("starting one", "ns", []string{"goroutine"}, Series{Name: "run", Values: []float64{300}}), nil},
		{SpeedUp("sweep", []float64{1, 2}, []float64{1, 1.9}, 2), []string{"2 cores"}},
		{SchedGantt("who ran where", "", 2, schedStretches()), []string{"P1"}},
		{Handoffs("hand-offs", "", schedStretches(), []Wait{{Lane: "salad", Start: 0, End: timing.Unit() / 2, Reason: "chan receive"}},
			[]Wake{{At: timing.Unit() / 2, From: "pasta", To: "salad", Reason: "chan receive"}}), []string{"salad"}},
	}
	for _, tt := range tests {
		t.Run(tt.c.Title(), func(t *testing.T) {
			started := time.Now()
			url := tt.c.picture(r)
			t.Logf("%d bytes of data: URL in %v", len(url), time.Since(started).Round(time.Millisecond))
			if !strings.HasPrefix(url, "data:image/svg+xml,%3Csvg") || strings.Contains(url, "NaN") {
				t.Fatalf("not a picture without NaN: %.200s", url)
			}
			for _, w := range append([]string{tt.c.Title()}, tt.wants...) {
				if !strings.Contains(url, w) {
					t.Errorf("the picture lacks %q", w)
				}
			}
		})
	}
}

// TestNoPicture checks that a chart goes without a picture, and draws only
// where scripts run, when pictures are off or cannot be drawn.
func TestNoPicture(t *testing.T) {
	tests := []struct {
		name, pictures string
		lib            func() string
	}{
		{"pictures off", "0", func() string { t.Error("the renderer was asked for the library"); return "" }},
		{"no library", "", func() string { return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(PicturesEnv, tt.pictures)
			r := &picture.Renderer{Dir: filepath.Join(t.TempDir(), "charts"), Kernel: os.Getpid(), Lib: tt.lib,
				Start: time.Second, Reply: time.Second}
			if url := Gantt("dinner", dinnerSpans()).picture(r); url != "" {
				t.Errorf("picture = %.100q, want none", url)
			}
		})
	}
}
