package timing

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Span is one task on one lane of a timeline: a dish on a chef, a job on
// a worker. Start and End are measured from the timeline's origin.
type Span struct {
	Lane  string        `json:"lane"`
	Task  string        `json:"task"`
	Start time.Duration `json:"start"`
	End   time.Duration `json:"end"`
}

// Duration returns how long the span lasted.
func (s Span) Duration() time.Duration { return s.End - s.Start }

// A Timeline collects spans from many goroutines at once. Its clock starts
// when it is created. A child process can report into its parent's
// timeline: see ChildEnv and FromParent.
type Timeline struct {
	origin time.Time // set once, when the timeline is made: read without mu

	mu    sync.Mutex
	spans []Span
	open  map[uint64]Span // spans begun by Track and not ended yet, by a number of their own
	next  uint64          // the number of the next Track
	sink  io.Writer       // set in a child process: each span is also written here
	err   error           // first error writing to sink
}

// NewTimeline returns an empty timeline whose clock starts now.
func NewTimeline() *Timeline {
	return &Timeline{origin: time.Now()}
}

// Origin returns the instant the timeline's clock started.
func (t *Timeline) Origin() time.Time { return t.origin }

// Now returns the time elapsed on the timeline's clock.
func (t *Timeline) Now() time.Duration { return time.Since(t.origin) }

// Add records a span. It is safe to call from many goroutines.
// A span that ends before it starts is recorded with End = Start.
func (t *Timeline) Add(s Span) {
	if s.End < s.Start {
		s.End = s.Start
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.spans = append(t.spans, s)
	if t.sink != nil && t.err == nil {
		t.err = json.NewEncoder(t.sink).Encode(s)
	}
}

// Track starts a span on lane for task and returns the function that ends
// it. The usual form is
//
//	defer tl.Track("pasta", "boil water")()
//
// While the runtime's execution tracer runs (see package sched), Track
// also names the calling goroutine after lane in the trace, with a log
// event of category LaneCategory.
func (t *Timeline) Track(lane, task string) (end func()) {
	if trace.IsEnabled() {
		trace.Log(context.Background(), LaneCategory, lane)
	}
	t.mu.Lock()
	id := t.next
	t.next++
	if t.open == nil {
		t.open = make(map[uint64]Span)
	}
	start := t.Now()
	t.open[id] = Span{Lane: lane, Task: task, Start: start}
	t.mu.Unlock()
	return func() {
		t.mu.Lock()
		delete(t.open, id)
		t.mu.Unlock()
		t.Add(Span{Lane: lane, Task: task, Start: start, End: t.Now()})
	}
}

// Unfinished returns the spans begun by Track whose end has not been called, each ending now,
// ordered as Spans orders them. They are not recorded: a cell that gave up waiting for a
// goroutine stuck for good (in a deadlock, say) adds them, so that its chart shows the wait.
func (t *Timeline) Unfinished() []Span {
	now := t.Now()
	t.mu.Lock()
	out := make([]Span, 0, len(t.open))
	for _, s := range t.open {
		s.End = now
		out = append(out, s)
	}
	t.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Span) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Lane, b.Lane), cmp.Compare(a.Task, b.Task))
	})
	return out
}

// LaneCategory is the category of the execution-trace log events that name
// a goroutine after the timeline lane it works for.
const LaneCategory = "course.lane"

// Spans returns a copy of the recorded spans ordered by start, then lane.
func (t *Timeline) Spans() []Span {
	t.mu.Lock()
	out := slices.Clone(t.spans)
	t.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Span) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.Lane, b.Lane))
	})
	return out
}

// Lanes returns the lanes of Spans in their natural order, as LanesOf.
func (t *Timeline) Lanes() []string { return LanesOf(t.Spans()) }

// LanesOf returns the lanes of spans in their natural order (see
// OrderLanes): the order they first appear in, except that numbered
// lanes of one kind, such as a pool's "worker 1" to "worker 10", come
// together and by number, whichever of them started first.
func LanesOf(spans []Span) []string {
	var lanes []string
	for _, s := range spans {
		if !slices.Contains(lanes, s.Lane) {
			lanes = append(lanes, s.Lane)
		}
	}
	return OrderLanes(lanes)
}

// numbers matches the runs of decimal digits in a lane's name.
var numbers = regexp.MustCompile(`[0-9]+`)

// OrderLanes puts lanes, given in the order they first appeared, in their
// natural order, which it returns in a new slice. Lanes whose names differ
// only in their numbers ("worker 4", "worker 10", "worker 1"; "P1", "P0")
// are one kind: they come together, where the first of them appeared, and
// by number, compared as numbers and from the left ("worker 2" before
// "worker 10", "machine 1 job 9" before "machine 2 job 1"). Every other
// lane keeps its place in the order: "main" before "cook" stays so.
func OrderLanes(lanes []string) []string {
	kinds := map[string][]string{} // the lanes of each kind: the name with its numbers blanked out
	var order []string             // the kinds, in the order they first appeared
	for _, l := range lanes {
		k := numbers.ReplaceAllString(l, "\x00")
		if _, ok := kinds[k]; !ok {
			order = append(order, k)
		}
		kinds[k] = append(kinds[k], l)
	}
	out := make([]string, 0, len(lanes))
	for _, k := range order {
		kind := kinds[k]
		slices.SortStableFunc(kind, func(a, b string) int {
			return slices.CompareFunc(numbers.FindAllString(a, -1), numbers.FindAllString(b, -1), compareNumbers)
		})
		out = append(out, kind...)
	}
	return out
}

// compareNumbers compares two runs of decimal digits as the numbers they
// write, of any length: "9" before "10", "007" the same as "7".
func compareNumbers(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}

// Makespan returns the end of the last span: how long the whole run took
// as seen by its tasks.
func (t *Timeline) Makespan() time.Duration {
	var end time.Duration
	for _, s := range t.Spans() {
		end = max(end, s.End)
	}
	return end
}

// Err returns the first error met while reporting spans to a parent
// process, or nil.
func (t *Timeline) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// Environment variables that connect a child process to its parent's timeline.
const (
	OriginEnv = "COURSE_TIMELINE_ORIGIN" // the parent's origin, in Unix nanoseconds
	FDEnv     = "COURSE_TIMELINE_FD"     // the file descriptor the child writes its spans to
)

// ChildEnv returns the environment a child process needs to report into t
// through file descriptor fd (3 for the first of exec.Cmd.ExtraFiles).
func (t *Timeline) ChildEnv(fd int) []string {
	return []string{
		OriginEnv + "=" + strconv.FormatInt(t.origin.UnixNano(), 10),
		FDEnv + "=" + strconv.Itoa(fd),
	}
}

// FromParent returns a timeline connected to the parent process's timeline,
// as set up by ChildEnv: it shares the parent's origin (on the wall clock)
// and writes every span it records, as one JSON line, to the parent.
// ok is false when this process was not started that way; the timeline is
// then a plain new one.
func FromParent() (tl *Timeline, ok bool) {
	originText, fdText := os.Getenv(OriginEnv), os.Getenv(FDEnv)
	if originText == "" || fdText == "" {
		return NewTimeline(), false
	}
	nanos, err1 := strconv.ParseInt(originText, 10, 64)
	fd, err2 := strconv.Atoi(fdText)
	if err := errors.Join(err1, err2); err != nil || fd < 3 {
		return NewTimeline(), false
	}
	return &Timeline{
		// time.Unix has no monotonic reading, so Now() in this process
		// uses the wall clock, which both processes share.
		origin: time.Unix(0, nanos),
		sink:   os.NewFile(uintptr(fd), "timeline"),
	}, true
}

// Collect reads spans written by a child's FromParent timeline (one JSON
// object a line) from r until EOF and adds them to t. A line that is not a
// span is an error; the spans before it are kept.
func (t *Timeline) Collect(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		var s Span
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			return fmt.Errorf("timing: bad span from child: %q: %w", sc.Text(), err)
		}
		t.Add(s)
	}
	return sc.Err()
}
