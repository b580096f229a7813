package cpuuse

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []ticks
		wantErr bool
	}{
		{"two cores", "cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 5 0 5 40 0 0 0 0 0 0\ncpu1 5 0 5 30 10 0 0 0 0 0\nintr 1\n",
			[]ticks{{10, 50}, {10, 50}}, false},
		{"no per-core line", "cpu 1 2 3 4\n", nil, true},
		{"not a number", "cpu0 x 0 0 0 0\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := read(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("read(%q) error %v", tt.in, err)
			}
			if !tt.wantErr && !slices.Equal(got, tt.want) {
				t.Errorf("read(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
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
	if again := s.Stop(); len(again) != len(samples) {
		t.Errorf("a second Stop returned %d samples, the first %d", len(again), len(samples))
	}
}

// TestStopTwice stops a sampler twice, as a deferred Stop after an
// explicit one does: no panic, and the same samples.
func TestStopTwice(t *testing.T) {
	stat := filepath.Join(t.TempDir(), "stat")
	if err := os.WriteFile(stat, []byte("cpu0 1 0 1 8 0 0 0 0 0 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := start(timing.NewTimeline(), time.Millisecond, stat)
	if err != nil {
		t.Fatal(err)
	}
	first := s.Stop()
	if second := s.Stop(); !slices.EqualFunc(first, second, func(a, b Sample) bool {
		return a.At == b.At && slices.Equal(a.Busy, b.Busy)
	}) {
		t.Errorf("Stop returned %v, then %v", first, second)
	}
}

func TestSplit(t *testing.T) {
	samples := []Sample{{At: time.Second, Busy: []float64{1, 0}}, {At: 2 * time.Second, Busy: []float64{0.5, 0.25}}}
	at, busy := Split(samples)
	if !slices.Equal(at, []time.Duration{time.Second, 2 * time.Second}) || len(busy) != 2 ||
		!slices.Equal(busy[0], []float64{1, 0}) || !slices.Equal(busy[1], []float64{0.5, 0.25}) {
		t.Errorf("Split(%v) = %v, %v", samples, at, busy)
	}
	if at, busy := Split(nil); len(at) != 0 || len(busy) != 0 {
		t.Errorf("Split(nil) = %v, %v", at, busy)
	}
}
