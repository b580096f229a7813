package costs

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/proc"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// Names of the child processes this package starts; Children maps them to what they run.
const (
	Nothing          = "costs: nothing"           // returns at once
	Echo             = "costs: echo"              // echoes bytes between two pipes
	PanickingKitchen = "costs: panicking kitchen" // a cook goroutine panics mid-dinner
)

// Children is what this package's child processes run: pass it to proc.Serve (or merge it
// into the map you pass).
var Children = map[string]proc.ChildFunc{
	Nothing:          func(*timing.Timeline) {},
	Echo:             func(*timing.Timeline) { echoBytes() },
	PanickingKitchen: panickingKitchen,
}

// GoroutineStartJoin starts a goroutine that does nothing and waits for it, n times, and returns
// the time per goroutine.
func GoroutineStartJoin(n int) time.Duration {
	sw := timing.Start()
	for range n {
		var wg sync.WaitGroup
		wg.Go(func() {})
		wg.Wait()
	}
	return sw.Elapsed() / time.Duration(n)
}

// ThreadStartJoin does the same with goroutines that lock themselves to their OS thread and never
// unlock it, so that each one's thread ends with it: every turn costs a new OS thread. It
// returns the time per thread and how many different thread ids the n goroutines ran on.
//
// A child process started with a parent-death signal (as package proc starts them) dies when the
// thread that started it ends: measure processes before threads, or in another program.
func ThreadStartJoin(n int) (time.Duration, int) {
	tids := make([]int, n)
	sw := timing.Start()
	for i := range n {
		var wg sync.WaitGroup
		wg.Go(func() {
			runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
			tids[i] = gettid()
		})
		wg.Wait()
	}
	per := sw.Elapsed() / time.Duration(n)
	slices.Sort(tids)
	return per, len(slices.Compact(tids))
}

// ProcessStartJoin starts this program again as a child that does nothing (Nothing) and waits
// for it to exit, n times, and returns the time per process.
func ProcessStartJoin(ctx context.Context, n int) (time.Duration, error) {
	sw := timing.Start()
	for range n {
		child, err := proc.Start(ctx, Nothing, timing.NewTimeline())
		if err != nil {
			return 0, err
		}
		if err := child.Wait(); err != nil {
			return 0, err
		}
	}
	return sw.Elapsed() / time.Duration(n), nil
}
