package costs

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/concurrency-kitchen/course/helpers/proc"
	"github.com/concurrency-kitchen/course/helpers/procpool"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// The crashes run at the shortest unit the helpers accept, so that they take milliseconds.
var fastUnit = timing.UnitEnv + "=" + timing.MinUnit.String()

// quietEnv, set in a child, sends its panic's report to /dev/null: lesson 15 shows it, lesson
// 16's table only counts what the crash took down.
const quietEnv = "COURSE_COSTS_QUIET"

// panickingKitchen is lesson 15's kitchen without recover: its main goroutine cooks ten steps of
// 0.25 units while a cook goroutine chops three times 0.3 units, then writes into a map it never
// made: a run-time panic at 0.9 units, which ends the whole program.
func panickingKitchen(tl *timing.Timeline) {
	if os.Getenv(quietEnv) != "" {
		silenceStderr()
	}
	go func() {
		for i := range 3 {
			end := tl.Track("cook goroutine", fmt.Sprintf("chop %d", i+1))
			time.Sleep(timing.Units(0.3))
			end()
		}
		var orders map[string]int
		//lint:ignore SA5000 the bug is the point: a run-time panic
		orders["soup"]++ // the bug: a map that was never made
	}()
	for i := range 10 {
		end := tl.Track("main goroutine", fmt.Sprintf("step %d", i+1))
		time.Sleep(timing.Units(0.25))
		end()
	}
}

// PanicInChild runs the panicking kitchen (PanickingKitchen) in a child process at the shortest
// unit, its panic's report sent to /dev/null. It returns how many of its ten steps the child's
// main goroutine finished, and the child's error: its exit status, 2 for an unrecovered panic.
func PanicInChild(ctx context.Context) (steps int, err error) {
	tl := timing.NewTimeline()
	child, err := proc.StartWith(ctx, PanickingKitchen, tl, proc.StartOptions{Env: []string{fastUnit, quietEnv + "=1"}})
	if err != nil {
		return 0, err
	}
	err = child.Wait()
	for _, s := range tl.Spans() {
		if s.Lane == "main goroutine" {
			steps++
		}
	}
	return steps, err
}

// cookDish cooks a dish for one unit and returns its cook's process id; dish 3 hits the bug of
// the kitchen, in a worker process.
var cookDish = procpool.Define("costs: cook dish", func(_ context.Context, dish int) (int, error) {
	if dish == 3 {
		if os.Getenv(quietEnv) != "" {
			silenceStderr()
		}
		var orders map[string]int
		//lint:ignore SA5000 the bug is the point: a run-time panic
		orders["soup"]++ // the same bug, in a worker process
	}
	time.Sleep(timing.Units(1))
	return os.Getpid(), nil
})

// CrashInPool cooks dishes 0 to 5 on a pool of two worker processes at the shortest unit, where
// the cook of dish 3 crashes (its report sent to /dev/null). It returns how many dishes were
// cooked, how many worker processes the pool started in all, and the pool's error.
func CrashInPool(ctx context.Context) (cooked, workers int, err error) {
	pool, err := procpool.New(ctx, procpool.Options{Workers: 2, Name: "cook", Env: []string{fastUnit, quietEnv + "=1"}})
	if err != nil {
		return 0, 0, err
	}
	cooks, err := procpool.Map(ctx, pool, cookDish, []int{0, 1, 2, 3, 4, 5}, 1)
	pool.Close()
	for _, pid := range cooks {
		if pid != 0 {
			cooked++
		}
	}
	return cooked, len(pool.PIDs()), err
}
