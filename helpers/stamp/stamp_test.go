package stamp

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

func TestCPUModel(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"first model name", "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags: x\nmodel name: other\n", "AMD EPYC 7B13"},
		{"no model name", "processor : 0\n", "unknown"},
		{"blank model name", "model name\t:   \n", "unknown"},
		{"empty", "", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cpuModel(strings.NewReader(tt.in)); got != tt.want {
				t.Errorf("cpuModel(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRead(t *testing.T) {
	t.Setenv(timing.UnitEnv, "50ms")
	s, err := Read()
	if err != nil {
		t.Fatal(err)
	}
	if s.GoVersion != runtime.Version() || s.NumCPU != runtime.NumCPU() || s.GOMAXPROCS != runtime.GOMAXPROCS(0) {
		t.Errorf("Read() = %+v", s)
	}
	if s.TimeUnit != 50*time.Millisecond {
		t.Errorf("TimeUnit = %v, want 50ms", s.TimeUnit)
	}
	for _, want := range []string{"GOMAXPROCS=", "NumCPU=", "time unit: 50ms", runtime.Version()} {
		if !strings.Contains(s.String(), want) {
			t.Errorf("String() = %q lacks %q", s, want)
		}
	}

	t.Setenv(timing.UnitEnv, "never")
	if _, err := Read(); err == nil {
		t.Error("Read() accepted a bad time unit")
	}
}
