package procpool

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/pytwin"
)

func benchmarkMap(b *testing.B, chunk int) {
	args := make([]int, 1000)
	for i := range args {
		args[i] = i
	}
	for b.Loop() {
		p, err := New(context.Background(), Options{Workers: 2})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Map(b.Context(), p, square, args, chunk); err != nil {
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
// run: multiprocessing.Process start+join (fork and spawn; compare proc's
// BenchmarkSpawnWait) and ProcessPoolExecutor.map of 1,000 tasks with
// chunksize 1 and 100. It logs the twin's interpreter.
func BenchmarkPythonTwin(b *testing.B) {
	var got struct {
		StartJoin map[string]float64 `json:"process_start_join_s"`
		Map       map[string]float64 `json:"pool_map_s"`
		Interp    pytwin.Interpreter `json:"interpreter"`
	}
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		err := pytwin.Run(ctx, "process_costs.py", &got, "20", "1000", "2")
		cancel()
		if err != nil {
			b.Skip(err)
		}
	}
	b.Log(got.Interp) // which Python made the figures, and its pool's start method
	b.ReportMetric(got.StartJoin["fork"]*1e9, "py-fork-start-join-ns")
	b.ReportMetric(got.StartJoin["spawn"]*1e9, "py-spawn-start-join-ns")
	b.ReportMetric(got.Map["1"]*1e9, "py-map1000-chunk1-ns")
	b.ReportMetric(got.Map["100"]*1e9, "py-map1000-chunk100-ns")
}

// BenchmarkRoundTrip1MiB sends 1 MiB to a worker and gets a small answer.
func BenchmarkRoundTrip1MiB(b *testing.B) {
	p, err := New(context.Background(), Options{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	payload := [][]byte{make([]byte, 1<<20)}
	b.SetBytes(1 << 20)
	for b.Loop() {
		if _, err := Map(b.Context(), p, lengthOf, payload, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// The is_prime benchmarks of lesson 07: PRIMES serially, in a pool of
// goroutines, in a pool of worker processes, and Python's executors on the
// same numbers in the same run.
var primes = []uint64{112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419}

func isPrime(n uint64) bool {
	if n%2 == 0 {
		return false
	}
	for i := uint64(3); i*i <= n; i += 2 {
		if n%i == 0 {
			return false
		}
	}
	return true
}

var isPrimeTask = Define("bench is_prime", func(_ context.Context, n uint64) (bool, error) { return isPrime(n), nil })

func BenchmarkIsPrimeSerial(b *testing.B) {
	for b.Loop() {
		for _, n := range primes {
			isPrime(n)
		}
	}
}

func BenchmarkIsPrimeGoroutinePool(b *testing.B) {
	for b.Loop() {
		jobs := make(chan uint64)
		var wg sync.WaitGroup
		var found atomic.Int64 // keeps the work from being optimised away
		for range runtime.NumCPU() {
			wg.Go(func() {
				for n := range jobs {
					if isPrime(n) {
						found.Add(1)
					}
				}
			})
		}
		for _, n := range primes {
			jobs <- n
		}
		close(jobs)
		wg.Wait()
		if found.Load() == 0 {
			b.Fatal("no prime found")
		}
	}
}

// BenchmarkIsPrimeProcessPool includes starting the pool, as Python's
// `with ProcessPoolExecutor() as ex: ex.map(...)` does.
func BenchmarkIsPrimeProcessPool(b *testing.B) {
	for b.Loop() {
		p, err := New(context.Background(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Map(b.Context(), p, isPrimeTask, primes, 1); err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}

// BenchmarkIsPrimePythonTwin runs lessons/python/primes.py and reports
// its serial, ThreadPoolExecutor and ProcessPoolExecutor times.
func BenchmarkIsPrimePythonTwin(b *testing.B) {
	var got struct {
		Serial    float64 `json:"serial_s"`
		Threads   float64 `json:"threads_s"`
		Processes float64 `json:"processes_s"`
	}
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		err := pytwin.Run(ctx, "primes.py", &got, fmt.Sprint(runtime.NumCPU()))
		cancel()
		if err != nil {
			b.Skip(err)
		}
	}
	b.ReportMetric(got.Serial*1e9, "py-serial-ns")
	b.ReportMetric(got.Threads*1e9, "py-threadpool-ns")
	b.ReportMetric(got.Processes*1e9, "py-processpool-ns")
}
