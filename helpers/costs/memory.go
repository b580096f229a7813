package costs

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/concurrency-kitchen/course/helpers/procpool"
)

// Memory is what each of many waiting workers added to its program: resident memory (VmRSS), and
// kernel stack, counted machine-wide (/proc/meminfo's KernelStack) so that other programs'
// threads blur it a little. Both in KiB.
type Memory struct{ RSSKiB, KernelKiB float64 }

// Total is the resident memory and the kernel stack together.
func (m Memory) Total() float64 { return m.RSSKiB + m.KernelKiB }

// Hold starts n goroutines that wait, each locked to its OS thread if lock, measures what each
// one added, then lets them all end and waits for them.
//
// A Go program keeps the memory it frees and hands it out again, so a second Hold in one program
// would look cheaper: run it first thing in a fresh process (HoldFresh).
func Hold(n int, lock bool) Memory {
	runtime.GC()
	rss, kernel := RSS(), Number("/proc/meminfo", "KernelStack")
	stop := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(n)
	for range n {
		done.Go(func() {
			if lock {
				runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
			}
			ready.Done()
			<-stop
		})
	}
	ready.Wait()
	m := Memory{
		RSSKiB:    float64(RSS()-rss) / float64(n),
		KernelKiB: float64(Number("/proc/meminfo", "KernelStack")-kernel) / float64(n),
	}
	close(stop)
	done.Wait()
	return m
}

// HoldArgs says what Hold holds: N waiting goroutines, each locked to its own OS thread if Lock.
type HoldArgs struct {
	N    int
	Lock bool
}

// holdTask is Hold in a worker process.
var holdTask = procpool.Define("costs: hold", func(_ context.Context, a HoldArgs) (Memory, error) {
	return Hold(a.N, a.Lock), nil
})

// Fresh runs task with arg as the first thing in a new worker process, and returns its result:
// for a measurement that a program's earlier work would change, such as Hold. The program calls
// proc.Serve first (its workers are the same program started again).
func Fresh[A, R any](ctx context.Context, task *procpool.Task[A, R], arg A) (R, error) {
	var zero R
	pool, err := procpool.New(ctx, procpool.Options{Workers: 1, Name: "fresh"})
	if err != nil {
		return zero, err
	}
	defer pool.Close()
	return procpool.Submit(ctx, pool, task, arg).Wait()
}

// HoldFresh runs Hold(n, lock) as the first thing in a new worker process.
func HoldFresh(ctx context.Context, n int, lock bool) (Memory, error) {
	return Fresh(ctx, holdTask, HoldArgs{N: n, Lock: lock})
}

// ProcessMemory starts n worker processes that wait for work, and returns what each holds on
// average: private memory, shared with no other process (Private_Clean + Private_Dirty of
// /proc/PID/smaps_rollup), and resident memory, which also counts the program's code that every
// copy shares.
func ProcessMemory(ctx context.Context, n int) (privateKiB, rssKiB float64, err error) {
	pool, err := procpool.New(ctx, procpool.Options{Workers: n, Name: "idle"})
	if err != nil {
		return 0, 0, err
	}
	defer pool.Close()
	for _, pid := range pool.PIDs() {
		rollup := fmt.Sprintf("/proc/%d/smaps_rollup", pid)
		clean, dirty, rss := Number(rollup, "Private_Clean"), Number(rollup, "Private_Dirty"), Number(rollup, "Rss")
		if clean < 0 || dirty < 0 || rss < 0 {
			return 0, 0, fmt.Errorf("cannot read %s", rollup)
		}
		privateKiB += float64(clean + dirty)
		rssKiB += float64(rss)
	}
	return privateKiB / float64(n), rssKiB / float64(n), nil
}
