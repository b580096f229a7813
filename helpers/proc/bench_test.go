package proc

import (
	"context"
	"testing"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

// BenchmarkSpawnWait starts a child process (this program again) that
// returns at once, and waits for it. Python's figures for the same work
// are in package procpool's BenchmarkPythonTwin.
func BenchmarkSpawnWait(b *testing.B) {
	tl := timing.NewTimeline()
	for b.Loop() {
		c, err := Start(context.Background(), "noop", tl)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Wait(); err != nil {
			b.Fatal(err)
		}
	}
}
