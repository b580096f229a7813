// Package course is the frame of a lesson's cells, so that a cell shows the concurrency it
// teaches and little else: one setup call, timed runs that name their lesson once, the
// notebook's Stop button as a context, and errors that end a cell visibly.
//
// A lesson's setup cell names the lesson once and sets up the page:
//
//	var lesson = course.Lesson("01-dinner")
//
//	%%
//	lesson.Setup()
//
// GoNB keeps that declaration for every later cell of the notebook, so a timed run reads:
//
//	run := lesson.Start("dinner", "goroutines")
//	goroutineDinner(run.TL)
//	run.Finish(report.Near(5, 0.2))
//	run.Gantt("Goroutines: three dishes at once")
//
// A cell that waits, serves or starts child processes takes [Context], which the Stop button
// cancels, and stops on an error with [Must] or [Check], which run the cell's deferred clean-ups
// before the cell ends with the error.
package course

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart"
	"github.com/concurrency-kitchen/course/helpers/load"
	"github.com/concurrency-kitchen/course/helpers/report"
	"github.com/concurrency-kitchen/course/helpers/stamp"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// A Lesson is the name of a notebook, such as "01-dinner": every run record of the notebook
// carries it.
type Lesson string

// Units that the lessons' self-checks are made for: from MinUnit (the helpers themselves accept
// down to timing.MinUnit) to timing.MaxUnit. Below MinUnit the fixed costs the lessons measure
// and their models add (a process start-up, 10 to 90 ms on the course's machines; a request; the
// job queue's least heartbeat, 50 ms) and a busy machine's scheduling noise are most of a unit.
const MinUnit = 50 * time.Millisecond

// Setup is the setup cell's one call: it prints the machine stamp (Go version, GOMAXPROCS, CPUs,
// the time unit) and loads the chart library into the page. An invalid COURSE_TIME_UNIT, or a
// chart library that cannot be read, ends the cell with a message that says what to fix; a unit
// below MinUnit gets a warning that the self-checks may fail.
func (l Lesson) Setup() {
	s, err := stamp.Read()
	Check(err)
	fmt.Println(s)
	if u := timing.Unit(); u < MinUnit {
		fmt.Printf("⚠ a unit of %v is below the %v the lessons are made for: fixed costs (a process start-up, a request) are then most of a unit, and self-checks may fail\n", u, MinUnit)
	}
	Check(chart.Setup())
}

// A Run is one timed run of a lesson: its timeline, to pass to the tasks, and a stopwatch
// started with it.
type Run struct {
	// TL is the run's timeline: tasks record their spans on it, and Gantt draws it.
	TL *timing.Timeline

	lesson              Lesson
	experiment, variant string
	watch               timing.Stopwatch
	stopped             time.Duration // the time at Stop; 0 while it runs
	trace               *report.Trace // what the runtime's trace of the run counted, if it was traced

	// throttled reads the cgroup's throttled time (load.Throttled; tests replace it);
	// throttled0 and throttledStop are its readings at Start and at Stop.
	throttled                 func() (time.Duration, bool)
	throttled0, throttledStop time.Duration
	quota                     bool // whether throttled0 could be read: a CPU quota is set
}

// Start starts a timed run of an experiment's variant: a new timeline and a stopwatch, both
// starting now.
func (l Lesson) Start(experiment, variant string) *Run {
	return l.start(experiment, variant, load.Throttled)
}

// StartOn is Start on a timeline the cell already records on: for a run whose workers start
// before its clock does, so that their start-up shows on the chart but is not in the run's time.
// The run's stopwatch starts now; Finish reports every span of tl, whenever it began.
func (l Lesson) StartOn(tl *timing.Timeline, experiment, variant string) *Run {
	r := l.start(experiment, variant, load.Throttled)
	r.TL = tl
	return r
}

// start is Start with the reader of the cgroup's throttled time.
func (l Lesson) start(experiment, variant string, throttled func() (time.Duration, bool)) *Run {
	r := &Run{lesson: l, experiment: experiment, variant: variant, throttled: throttled}
	r.throttled0, r.quota = throttled()
	r.TL, r.watch = timing.NewTimeline(), timing.Start()
	return r
}

// HeldUp returns how long, at most, the kernel held up the run's container for having used its
// CPU quota between Start and Stop (or now); 0 with no quota. A check of the run's time that
// Finish does not make allows that much more, as Finish does.
func (r *Run) HeldUp() time.Duration {
	if !r.quota {
		return 0
	}
	end := r.throttledStop
	if r.stopped == 0 {
		end, _ = r.throttled()
	}
	return max(end-r.throttled0, 0)
}

// Elapsed is the time since the run started, or up to Stop once it has been called.
func (r *Run) Elapsed() time.Duration {
	if r.stopped > 0 {
		return r.stopped
	}
	return r.watch.Elapsed()
}

// Stop stops the run's stopwatch and returns the time: for a run whose cell has more to do
// (read results, stop its workers) between the end of the timed work and Finish. A second Stop
// changes nothing.
func (r *Run) Stop() time.Duration {
	if r.stopped == 0 {
		r.stopped = max(r.watch.Elapsed(), 1)
		if r.quota {
			r.throttledStop, _ = r.throttled()
		}
	}
	return r.stopped
}

// Finish ends the run: it prints the time (up to Stop, if it was called) next to what the
// model wants, publishes the run record, and makes the self-check that the result meets want
// (see report.Finish). It returns the record.
//
// Under a CPU quota (a Binder, `docker run --cpus 1`) the kernel stops every process of the
// container for the rest of a period once they have used its CPU time, and the kernel, the
// language server and Jupyter share that time with the cell. When the cgroup's own count says
// that happened during the run, Finish says for how long and raises the top of want's band by
// as much (report.Expectation.HeldUp): a run is judged on what it did, not on what the quota
// took from it.
func (r *Run) Finish(want report.Expectation) report.Run {
	elapsed := r.Elapsed()
	if d := r.HeldUp(); d > 0 {
		fmt.Printf("⏸ the container's CPU quota held it up for %v at most during this run (the kernel, gopls and Jupyter share the quota): the model's band allows that much more\n", d.Round(time.Millisecond))
		want = want.HeldUp(d)
	}
	rec := report.New(string(r.lesson), r.experiment, r.variant, elapsed, r.TL, want)
	rec.Trace = r.trace
	return rec.Finish(want)
}

// Traced puts what the runtime's execution trace of the run counted (a sched.Run's Summary)
// into the run's record, under "trace". Call it before Finish.
func (r *Run) Traced(t report.Trace) { r.trace = &t }

// Gantt draws the run's timeline as a Gantt chart, one lane per worker or dish.
func (r *Run) Gantt(title string) {
	chart.Gantt(title, r.TL.Spans()).Show()
}

// Report is Finish for a run timed another way (the best of several tries, a time measured
// inside the run): it reports elapsed, with the spans of tl (nil for none). Unlike Finish, it
// cannot allow for a CPU quota's hold-ups: give a run with a model Start or StartOn instead.
func (l Lesson) Report(experiment, variant string, elapsed time.Duration, tl *timing.Timeline, want report.Expectation) report.Run {
	return report.Finish(string(l), experiment, variant, elapsed, tl, want)
}

// Record builds the run record of a run without printing, publishing or checking it (see
// report.New): for a lesson that publishes it itself, or compares several runs first.
func (l Lesson) Record(experiment, variant string, elapsed time.Duration, tl *timing.Timeline, want report.Expectation) report.Run {
	return report.New(string(l), experiment, variant, elapsed, tl, want)
}

// Context returns a context that is cancelled when the cell is interrupted: GoNB sends the
// cell's program SIGINT when the learner presses Stop. Hand it to every wait, server and child
// process of the cell, and they end at once instead of running on.
func Context() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt)
	return ctx
}

// Check ends the cell when err is not nil: it runs the deferred calls of the cell (closing its
// servers, stopping its child processes), then the cell ends with err as its error. It does
// nothing when err is nil.
func Check(err error) {
	if err != nil {
		stop(err)
	}
}

// Must returns v, or ends the cell as Check does when err is not nil.
func Must[T any](v T, err error) T {
	Check(err)
	return v
}

// stop panics with err, which unwinds the cell's main function through its deferred calls; the
// program then ends with err and the short trace Go prints for a panic. A test replaces it.
var stop = func(err error) { panic(err) }
