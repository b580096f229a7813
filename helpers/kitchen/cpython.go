package kitchen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/gil"
	"github.com/concurrency-kitchen/course/helpers/pytwin"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// A CPythonDinner is one GIL dinner cooked by CPython threads, as the twin
// lessons/python/dinner.py prints it.
type CPythonDinner struct {
	Interp pytwin.Interpreter `json:"interpreter"`
	Units  float64            `json:"units"` // the dinner's time, on the twin's clock
	Late   float64            `json:"late"`  // seconds it began after the moment it was given
	Spans  []pytwin.Span      `json:"spans"` // its steps and its threads' waits for the GIL
}

// Timeline returns the dinner's spans on a timeline, to record and draw like a Go run.
func (d CPythonDinner) Timeline() *timing.Timeline { return pytwin.Timeline(d.Spans) }

// A CPythonOrder is one dinner to cook in CPython: the dishes in the order their threads start,
// and the switch interval (sys.setswitchinterval); zero means CPython's default, 5 ms.
type CPythonOrder struct {
	Dishes   []string
	Interval time.Duration
}

// CookInCPython cooks each order runs times, each dinner in a CPython process of its own, all at
// once, and returns the dinners by order: dinners[o][r] is run r of orders[o]. The dinners only
// sleep, so they do not slow each other down: the call takes about as long as the slowest
// dinner. They begin at one moment, set far enough ahead for every process to have started by
// then. The processes are killed when ctx is done.
func CookInCPython(ctx context.Context, orders []CPythonOrder, runs int) ([][]CPythonDinner, error) {
	n := len(orders) * runs
	at := time.Now().Add(500*time.Millisecond + time.Duration(n)*100*time.Millisecond)
	unit := fmt.Sprint(timing.Unit().Seconds())
	startAt := fmt.Sprintf("%.6f", float64(at.UnixNano())/1e9)
	dinners := make([][]CPythonDinner, len(orders))
	errs := make([]error, n)
	var wg sync.WaitGroup
	for o, order := range orders {
		interval := order.Interval
		if interval <= 0 {
			interval = gil.DefaultInterval
		}
		dinners[o] = make([]CPythonDinner, runs)
		for r := range runs {
			wg.Go(func() {
				errs[o*runs+r] = pytwin.Run(ctx, "dinner.py", &dinners[o][r],
					unit, strings.Join(order.Dishes, ","), fmt.Sprint(interval.Seconds()), startAt)
			})
		}
	}
	wg.Wait()
	return dinners, errors.Join(errs...)
}

// Times returns the dinners' times, in units.
func Times(dinners []CPythonDinner) []float64 {
	ts := make([]float64, len(dinners))
	for i, d := range dinners {
		ts[i] = d.Units
	}
	return ts
}

// Outcomes names the bins that CountRounded counts dinners in: the GIL dinners take 5 to 9 units.
func Outcomes() []string {
	return []string{"5 units or less", "6 units", "7 units", "8 units", "9 units", "10 units or more"}
}

// CountRounded counts the times, in units, rounded to a whole unit, in the bins of Outcomes.
func CountRounded(times []float64) []float64 {
	n := make([]float64, len(Outcomes()))
	for _, t := range times {
		n[min(max(int(math.Round(t))-5, 0), len(n)-1)]++
	}
	return n
}
