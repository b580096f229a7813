package cpuuse

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

func TestRead(t *testing.T) {
	tests := []struct {
		in      string
		want    []ticks
		wantErr bool
	}{
		{"cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 5 0 5 40 0 0 0 0 0 0\ncpu1 5 0 5 30 10 0 0 0 0 0\nintr 1\n",
			[]ticks{{10, 50}, {10, 50}}, false},
		{"cpu 1 2 3 4\n", nil, true},
		{"cpu0 x 0 0 0 0\n", nil, true},
	}
	for _, tt := range tests {
		got, err := read(strings.NewReader(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("read(%q) error %v", tt.in, err)
			continue
		}
		if !tt.wantErr && (len(got) != len(tt.want) || got[0] != tt.want[0] || got[1] != tt.want[1]) {
			t.Errorf("read(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestUnavailable(t *testing.T) {
	_, err := start(timing.NewTimeline(), time.Millisecond, filepath.Join(t.TempDir(), "no-stat"))
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("a missing /proc/stat gave %v", err)
	}
}

func TestSamplerSeesABusyCore(t *testing.T) {
	if _, err := os.Stat("/proc/stat"); err != nil {
		t.Skip("no /proc/stat")
	}
	s, err := Start(timing.NewTimeline(), 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	stop := time.Now().Add(300 * time.Millisecond)
	for x := 1; time.Now().Before(stop); x = x*3 + 1 {
	}
	samples := s.Stop()
	if len(samples) < 5 {
		t.Fatalf("%d samples in 300ms at 20ms", len(samples))
	}
	mean := Mean(samples)
	if len(mean) != runtime.NumCPU() {
		t.Errorf("%d cores sampled, NumCPU %d", len(mean), runtime.NumCPU())
	}
	total := 0.0
	for _, m := range mean {
		total += m
	}
	// One goroutine spun: at least about half a core busy, whatever else runs.
	if total < 0.5 {
		t.Errorf("busy cores add up to %.2f while one goroutine spun", total)
	}
	if c := Chart("cpu", samples); !strings.Contains(c.Option(), `"name":"core 0"`) {
		t.Errorf("chart option %s", c.Option())
	}
}
