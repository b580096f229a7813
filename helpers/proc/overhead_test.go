package proc

import (
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/load"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

func TestStartupAndOverhead(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		spans []timing.Span
		want  time.Duration // Startup
	}{
		{"no process", []timing.Span{{Lane: "pasta", Task: "boil", End: 30 * ms}}, 0},
		{"the longest start-up", []timing.Span{
			{Lane: "a", Task: StartupTask, Start: 0, End: 12 * ms},
			{Lane: "b", Task: StartupTask, Start: 1 * ms, End: 31 * ms},
			{Lane: "b", Task: "work", Start: 31 * ms, End: 90 * ms},
		}, 30 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := timing.NewTimeline()
			for _, s := range tt.spans {
				tl.Add(s)
			}
			if got := Startup(tl); got != tt.want {
				t.Errorf("Startup = %v, want %v", got, tt.want)
			}
			if got, want := Overhead(tl), tt.want+load.ThrottleDelay(); got != want {
				t.Errorf("Overhead = %v, want Startup + ThrottleDelay = %v", got, want)
			}
		})
	}
}
