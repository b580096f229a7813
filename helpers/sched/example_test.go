package sched_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/sched"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

func ExampleTrace() {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	tl := timing.NewTimeline()
	run, err := sched.Trace(tl, func() {
		var wg sync.WaitGroup
		for _, dish := range []string{"pasta", "salad"} {
			wg.Go(func() {
				defer tl.Track(dish, "cook")() // names the goroutine in the trace
				time.Sleep(10 * time.Millisecond)
			})
		}
		wg.Wait()
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := run.Summary()
	fmt.Printf("%d goroutines on %d P (GOMAXPROCS %d)\n", s.Goroutines, s.ProcsUsed, s.GOMAXPROCS)
	for _, g := range run.Goroutines {
		fmt.Println(g.Lane, "blocked on", g.Blocks[0].Reason)
	}
	// Unordered output:
	// 2 goroutines on 1 P (GOMAXPROCS 1)
	// pasta blocked on sleep
	// salad blocked on sleep
}

func ExampleRun_Wakes() {
	tl := timing.NewTimeline()
	run, err := sched.Trace(tl, func() {
		soup := make(chan string)
		var wg sync.WaitGroup
		wg.Go(func() {
			defer tl.Track("waiter", "wait for the soup")()
			<-soup
		})
		wg.Go(func() {
			defer tl.Track("cook", "cook the soup")()
			time.Sleep(time.Millisecond)
			soup <- "tomato"
		})
		wg.Wait()
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range run.Wakes() {
		// The hand-off on the channel. When both goroutines record a span at the same moment, the
		// timeline's own lock can add a wake on a sync (seen under the race detector in CI).
		if strings.HasPrefix(w.Reason, "chan") {
			fmt.Println(w.From, "woke the", w.To, "waiting on a", w.Reason)
		}
	}
	// Output: cook woke the waiter waiting on a chan receive
}
