package proc

import (
	"context"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/pytwin"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// BenchmarkSpawnWait starts a child process (this program again) that
// returns at once, and waits for it.
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

func benchmarkMap(b *testing.B, chunk int) {
	args := make([]int, 1000)
	for i := range args {
		args[i] = i
	}
	for b.Loop() {
		p, err := NewPool(context.Background(), PoolOptions{Workers: 2})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Map(p, square, args, chunk); err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}

// BenchmarkMap1000 maps 1,000 trivial tasks over a new pool of 2 workers
// (pool start included, as in Python's twin).
func BenchmarkMap1000Chunk1(b *testing.B)   { benchmarkMap(b, 1) }
func BenchmarkMap1000Chunk100(b *testing.B) { benchmarkMap(b, 100) }

// BenchmarkPythonTwin runs lessons/python/process_costs.py once per
// iteration and reports Python's figures for the same work, in the same
// run: multiprocessing.Process start+join (fork and spawn) and
// ProcessPoolExecutor.map of 1,000 tasks with chunksize 1 and 100.
func BenchmarkPythonTwin(b *testing.B) {
	var got struct {
		StartJoin map[string]float64 `json:"process_start_join_s"`
		Map       map[string]float64 `json:"pool_map_s"`
	}
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		err := pytwin.Run(ctx, "process_costs.py", &got, "20", "1000", "2")
		cancel()
		if err != nil {
			b.Skip(err)
		}
	}
	b.ReportMetric(got.StartJoin["fork"]*1e9, "py-fork-start-join-ns")
	b.ReportMetric(got.StartJoin["spawn"]*1e9, "py-spawn-start-join-ns")
	b.ReportMetric(got.Map["1"]*1e9, "py-map1000-chunk1-ns")
	b.ReportMetric(got.Map["100"]*1e9, "py-map1000-chunk100-ns")
}

// BenchmarkRoundTrip1MiB sends 1 MiB to a worker and gets a small answer.
func BenchmarkRoundTrip1MiB(b *testing.B) {
	p, err := NewPool(context.Background(), PoolOptions{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	payload := [][]byte{make([]byte, 1<<20)}
	b.SetBytes(1 << 20)
	for b.Loop() {
		if _, err := Map(p, lengthOf, payload, 1); err != nil {
			b.Fatal(err)
		}
	}
}
