// Package report publishes the result of every timed run as a run record,
// and runs the lessons' self-checks.
//
// A run record is a small JSON document with MIME type MIME: the lesson,
// experiment and variant, the measured time in seconds and in units, what
// the model expected, whether the run met it, and the timeline of spans.
// In a notebook it travels as a display item that the front end does not
// show and the notebook tests read; outside a notebook it is a JSON file.
//
// A self-check compares a result with what the lesson expects. By default
// a failed check prints a warning, because a learner's laptop is noisy.
// With COURSE_STRICT=1 it is an error that ends the program with status 1,
// which GoNB shows as an error output: the notebook tests run that way.
package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/concurrency-kitchen/course/helpers/internal/round"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// MIME is the MIME type of a run record.
const MIME = "application/vnd.concurrency-kitchen.run+json"

// StrictEnv is the variable that makes failed self-checks errors.
const StrictEnv = "COURSE_STRICT"

// A Span is one entry of a record's timeline, in seconds from the start.
type Span struct {
	Lane  string  `json:"lane"`
	Task  string  `json:"task"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// A Run is the record of one timed run.
type Run struct {
	Lesson     string  `json:"lesson"`
	Experiment string  `json:"experiment"`
	Variant    string  `json:"variant"`
	Seconds    float64 `json:"seconds"`
	Units      float64 `json:"units"`
	UnitSecs   float64 `json:"unit_seconds"`

	// ExpectedUnits is what the model predicts, when it predicts a time;
	// ExpectedMin and ExpectedMax bound the accepted result.
	ExpectedUnits *float64 `json:"expected_units,omitempty"`
	ExpectedMin   *float64 `json:"expected_min,omitempty"`
	ExpectedMax   *float64 `json:"expected_max,omitempty"`

	OK       bool   `json:"ok"`
	Timeline []Span `json:"timeline"`

	// Trace is what the runtime's execution trace of the run counted, for
	// a traced run (see package sched); nil otherwise.
	Trace *Trace `json:"trace,omitempty"`
}

// A Trace is what the runtime's execution trace of a run counted over the
// lesson's goroutines (the runtime's and the helpers' left out).
type Trace struct {
	GOMAXPROCS  int `json:"gomaxprocs"`  // Ps during the run
	Goroutines  int `json:"goroutines"`  // the lesson's goroutines that ran
	Threads     int `json:"threads"`     // OS threads they ran on
	ProcsUsed   int `json:"procs_used"`  // Ps they ran on
	Migrations  int `json:"migrations"`  // times one resumed on another OS thread
	Preemptions int `json:"preemptions"` // times the scheduler preempted one
}

// An Expectation is what a model predicts for a run, in units.
type Expectation struct {
	Units    float64 // the model's figure
	Min, Max float64 // the accepted band
	set      bool
}

// Near expects units within ± tol.
func Near(units, tol float64) Expectation {
	return Expectation{Units: units, Min: units - tol, Max: units + tol, set: true}
}

// Between expects the model's figure units, accepting any result from
// min to max: for a cost the model leaves out, such as a process start-up.
func Between(units, min, max float64) Expectation {
	return Expectation{Units: units, Min: min, Max: max, set: true}
}

// Plus returns the expectation with a fixed cost that the run measured,
// such as the start-up of its processes, added to the model's figure and to
// the top of the band. The bottom of the band stays: the cost may overlap
// the work. The model then holds at any unit and on a slow machine, where
// the cost is a larger share of the run.
func (e Expectation) Plus(cost time.Duration) Expectation {
	if !e.set {
		return e
	}
	u := timing.InUnits(cost)
	e.Units += u
	e.Max += u
	return e
}

// HeldUp returns the expectation with the top of the band raised by d: a
// time the run was measured to be held up by something outside it, such
// as the kernel stopping its container for having used its CPU quota. The
// model's figure and the bottom of the band stay: being held up only makes
// a run slower.
func (e Expectation) HeldUp(d time.Duration) Expectation {
	if !e.set || d <= 0 {
		return e
	}
	e.Max += timing.InUnits(d)
	return e
}

// NoModel is the expectation of a run whose time no model predicts: it
// is recorded, not checked.
var NoModel = Expectation{}

// Holds reports whether a result in units meets the expectation.
func (e Expectation) Holds(units float64) bool {
	return !e.set || (units >= e.Min-1e-9 && units <= e.Max+1e-9)
}

// String describes the expectation, as in "13 ± 0.3" or "5 (5.0 to 5.6)".
func (e Expectation) String() string {
	if !e.set {
		return "no model"
	}
	if math.Abs((e.Max-e.Units)-(e.Units-e.Min)) < 1e-9 {
		return fmt.Sprintf("%g ± %g", round.To(e.Units, 3), round.To(e.Max-e.Units, 3))
	}
	return fmt.Sprintf("%g (%g to %g)", round.To(e.Units, 3), round.To(e.Min, 3), round.To(e.Max, 3))
}

// New builds the record of a run that took elapsed, with the spans of tl
// (which may be nil), checked against want.
func New(lesson, experiment, variant string, elapsed time.Duration, tl *timing.Timeline, want Expectation) Run {
	units := timing.InUnits(elapsed)
	r := Run{
		Lesson: lesson, Experiment: experiment, Variant: variant,
		Seconds:  round.To(elapsed.Seconds(), 4),
		Units:    round.To(units, 3),
		UnitSecs: timing.Unit().Seconds(),
		OK:       want.Holds(units),
		Timeline: []Span{},
	}
	if want.set {
		u, lo, hi := round.To(want.Units, 4), round.To(want.Min, 4), round.To(want.Max, 4)
		r.ExpectedUnits, r.ExpectedMin, r.ExpectedMax = &u, &lo, &hi
	}
	if tl != nil {
		for _, s := range tl.Spans() {
			r.Timeline = append(r.Timeline, Span{s.Lane, s.Task, round.To(s.Start.Seconds(), 4), round.To(s.End.Seconds(), 4)})
		}
	}
	return r
}

// Publish sends the record to the current display sink: a hidden display
// item in a notebook, a JSON file elsewhere.
func (r Run) Publish() error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err = display.Current().Data(r.Lesson+"-"+r.Experiment+"-"+r.Variant, MIME, b)
	return err
}

// Summary is the line a learner reads about the run.
func (r Run) Summary() string {
	s := fmt.Sprintf("%s: %.2f units (%.3f s)", r.Variant, r.Units, r.Seconds)
	if r.ExpectedUnits == nil {
		return s
	}
	want := Expectation{Units: *r.ExpectedUnits, Min: *r.ExpectedMin, Max: *r.ExpectedMax, set: true}
	mark := "✓"
	if !r.OK {
		mark = "✗"
	}
	return s + fmt.Sprintf("; model: %s %s", want, mark)
}

// Finish is what a lesson calls after a timed run: it builds the record,
// prints its summary, publishes it, and makes the self-check that the
// result meets want (silent when it does: the summary says so). It
// returns the record.
func Finish(lesson, experiment, variant string, elapsed time.Duration, tl *timing.Timeline, want Expectation) Run {
	return New(lesson, experiment, variant, elapsed, tl, want).Finish(want)
}

// Finish prints the record's summary, publishes it, and makes the
// self-check that the run met want, the expectation it was built with:
// Finish for a record completed after New (such as one given a Trace).
func (r Run) Finish(want Expectation) Run {
	fmt.Println(r.Summary())
	if err := r.Publish(); err != nil {
		fmt.Fprintln(os.Stderr, "could not publish the run record:", err)
	}
	if !r.OK {
		Check(r.Variant+" meets its model", false,
			fmt.Sprintf("it took %.2f units, the model says %s; a busy machine can do that, run the cell again", r.Units, want))
	}
	return r
}

// Strict reports whether COURSE_STRICT asks for failed checks to be errors.
func Strict() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(StrictEnv))) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// exit ends the program after a failed strict check; tests replace it.
var exit = os.Exit

// Check is a self-check: it prints "✓ name" when ok, and otherwise a
// warning with the hint, or in strict mode an error (on standard error)
// that ends the program with status 1. It returns ok.
func Check(name string, ok bool, hint string) bool {
	if ok {
		fmt.Println("✓", name)
		return true
	}
	if Strict() {
		fmt.Fprintf(os.Stderr, "✗ self-check failed: %s: %s\n", name, hint)
		exit(1)
		return false
	}
	fmt.Printf("⚠ self-check: %s? not this time: %s\n", name, hint)
	return false
}

// ErrTodo is what an exercise's starting code returns until the learner
// has written it. Exercise treats it as "not done yet", not as a failure.
var ErrTodo = errors.New("exercise not done yet")

// Exercise is the self-check of an exercise: when err is ErrTodo it says
// the exercise is still to do (and fails nothing); when err is another
// error it fails the check with that error; otherwise it is Check.
func Exercise(name string, err error, ok bool, hint string) bool {
	switch {
	case errors.Is(err, ErrTodo):
		fmt.Printf("… %s: not done yet. Edit the exercise cell, run it, then run this cell again.\n", name)
		return false
	case err != nil:
		return Check(name, false, err.Error())
	}
	return Check(name, ok, hint)
}
