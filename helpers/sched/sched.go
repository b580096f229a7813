// Package sched shows what the Go scheduler did during a run: it records
// the runtime's execution trace (package runtime/trace) around a function,
// reads it back with golang.org/x/exp/trace, and returns, for each of the
// lesson's goroutines, when it ran, on which P and OS thread, why it
// stopped (blocked, preempted, yielded), when it moved to another thread,
// and which goroutine woke it.
//
// The lesson's goroutines are told apart from the runtime's and the
// helpers' by name: a goroutine takes the name of a timeline lane when it
// calls timing.Timeline.Track (which does it while a trace runs) or Lane.
// Times are measured from a timing.Timeline's origin, so that a trace
// lines up with the course's own Gantt chart of the same run. In a lesson:
//
//	run := lesson.Start("dinner", "goroutines, traced")
//	tr := course.Must(sched.Trace(run.TL, func() { goroutineDinner(run.TL); run.Stop() }))
//	run.Traced(tr.Summary()) // the run record's "trace"
//	run.Finish(report.Near(5, 0.2))
//	tr.Chart("The scheduler's view").Show() // one row per P
//
// Run.Handoffs draws one row per lane instead, with an arrow for every
// time one goroutine woke another.
//
// The raw trace is kept: Save writes it to a file that `go tool trace`
// opens.
package sched

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	rtrace "runtime/trace"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart"
	"github.com/concurrency-kitchen/course/helpers/report"
	"github.com/concurrency-kitchen/course/helpers/timing"
	"golang.org/x/exp/trace"
)

// markCategory is the category of the log event that Trace writes just
// before it calls fn: the event's time in the trace and the wall-clock
// reading taken with it tie the trace's clock to the timeline's.
const markCategory = "course.sched"

// A Slice is a stretch of time during which a goroutine ran on one P and
// one OS thread, from Start to End on the timeline's clock.
type Slice struct {
	Start, End time.Duration
	P          int   // the P (scheduler slot) it ran on
	Thread     int64 // the OS thread (the trace's M) it ran on
	// Stop says why the slice ended: "blocked", "preempted", "yield",
	// "syscall", "exit", or "end of trace".
	Stop string
	// Reason is the runtime's reason for blocking ("sleep", "chan
	// receive", "sync", "select", ...), when Stop is "blocked".
	Reason string
}

// Duration returns how long the slice lasted.
func (s Slice) Duration() time.Duration { return s.End - s.Start }

// A Block is a time a goroutine stopped to wait.
type Block struct {
	At     time.Duration // when it blocked
	Until  time.Duration // when it became runnable again (or the trace ended)
	Reason string        // the runtime's reason: "sleep", "chan receive", "sync", "syscall", ...
	// WokenBy is the goroutine whose action made it runnable again (a
	// channel send, an unlock, a WaitGroup's last Done), or 0 when none did
	// (a timer fired, the network poller, the end of the trace).
	WokenBy int64
}

// A Preemption is a time the scheduler took the P from a running goroutine.
type Preemption struct {
	At time.Duration
	// Async is true for an asynchronous preemption: a signal stopped the
	// goroutine wherever it was, even in a loop that calls nothing.
	Async bool
}

// A Goroutine is one goroutine's part of the trace.
type Goroutine struct {
	ID          int64
	Lane        string // the timeline lane it worked for; "" for one that is not the lesson's
	Slices      []Slice
	Blocks      []Block
	Preemptions []Preemption
	Migrations  int // times it resumed on another OS thread than the one it last ran on
}

// Running returns the total time the goroutine ran.
func (g *Goroutine) Running() time.Duration {
	var d time.Duration
	for _, s := range g.Slices {
		d += s.Duration()
	}
	return d
}

// Waits counts the goroutine's blocks by reason, such as "sleep": 3.
func (g *Goroutine) Waits() map[string]int {
	n := map[string]int{}
	for _, b := range g.Blocks {
		n[b.Reason]++
	}
	return n
}

// A Run is what the scheduler did while a traced function ran.
type Run struct {
	// Start and End bound the trace on the timeline's clock.
	Start, End time.Duration
	// GOMAXPROCS is the number of Ps during the run, as the trace reports it.
	GOMAXPROCS int
	// Goroutines are the lesson's goroutines, those named after a lane,
	// in the order they first ran.
	Goroutines []*Goroutine
	// Others are the other goroutines that ran: the runtime's, the
	// helpers' and the one that called Trace.
	Others []*Goroutine
	// Reading is what the trace cost after fn returned: stopping the
	// tracer and reading the trace back.
	Reading time.Duration

	raw []byte
}

// traceMu makes Trace calls take turns: the runtime has one tracer.
var traceMu sync.Mutex

// Trace runs fn with the runtime's execution tracer on and returns what
// the scheduler did meanwhile. Times are measured from tl's origin, or
// from the moment fn was called when tl is nil. Goroutines that fn starts
// should be named after their lanes: calling tl.Track does it, and Lane
// does it for a goroutine that records no span.
//
// Trace fails when another tracer is running (such as go test -trace),
// or when the trace cannot be read. fn has returned by then; a goroutine
// fn leaves running is traced only until fn returns.
func Trace(tl *timing.Timeline, fn func()) (*Run, error) {
	traceMu.Lock()
	defer traceMu.Unlock()
	var buf bytes.Buffer
	if err := rtrace.Start(&buf); err != nil {
		return nil, fmt.Errorf("sched: starting the execution tracer: %w", err)
	}
	mark := time.Now()
	rtrace.Log(context.Background(), markCategory, "start")
	fn()
	done := time.Now()
	rtrace.Stop()

	var offset time.Duration
	if tl != nil {
		offset = mark.Sub(tl.Origin())
	}
	r, err := parse(buf.Bytes(), offset)
	if err != nil {
		return nil, err
	}
	r.raw = buf.Bytes()
	r.Reading = time.Since(done)
	return r, nil
}

// Lane names the calling goroutine after a timeline lane in the running
// trace, if any. A goroutine that calls timing.Timeline.Track needs no
// call to Lane.
func Lane(lane string) {
	if rtrace.IsEnabled() {
		rtrace.Log(context.Background(), timing.LaneCategory, lane)
	}
}

// parse reads a trace. offset is the time of the mark event on the
// timeline's clock.
func parse(raw []byte, offset time.Duration) (*Run, error) {
	rd, err := trace.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("sched: reading the trace: %w", err)
	}
	var evs []trace.Event
	var markAt trace.Time
	marked := false
	for {
		e, err := rd.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sched: reading the trace: %w", err)
		}
		if e.Kind() == trace.EventLog && e.Log().Category == markCategory && !marked {
			markAt, marked = e.Time(), true
		}
		evs = append(evs, e)
	}
	if len(evs) == 0 || !marked {
		return nil, errors.New("sched: the trace holds no start mark")
	}
	at := func(t trace.Time) time.Duration { return offset + t.Sub(markAt) }

	r := &Run{Start: at(evs[0].Time()), End: at(evs[len(evs)-1].Time())}
	type live struct {
		g       *Goroutine
		running bool
		slice   Slice
		blocked bool
		block   Block
		thread  int64 // the thread of its last slice, -1 before any
	}
	byID := make(map[trace.GoID]*live)
	var order []trace.GoID
	get := func(id trace.GoID) *live {
		l, ok := byID[id]
		if !ok {
			l = &live{g: &Goroutine{ID: int64(id)}, thread: -1}
			byID[id] = l
			order = append(order, id)
		}
		return l
	}
	endSlice := func(l *live, t time.Duration, stop, reason string) {
		if !l.running {
			return
		}
		l.slice.End, l.slice.Stop, l.slice.Reason = t, stop, reason
		l.g.Slices = append(l.g.Slices, l.slice)
		l.running = false
	}
	for _, e := range evs {
		t := at(e.Time())
		switch e.Kind() {
		case trace.EventLog:
			if lg := e.Log(); lg.Category == timing.LaneCategory && e.Goroutine() != trace.NoGoroutine {
				if l := get(e.Goroutine()); l.g.Lane == "" {
					l.g.Lane = lg.Message
				}
			}
		case trace.EventMetric:
			if m := e.Metric(); m.Name == "/sched/gomaxprocs:threads" {
				r.GOMAXPROCS = int(m.Value.Uint64())
			}
		case trace.EventStateTransition:
			st := e.StateTransition()
			if st.Resource.Kind != trace.ResourceGoroutine {
				continue
			}
			from, to := st.Goroutine()
			l := get(st.Resource.Goroutine())
			if from == trace.GoRunning && to != trace.GoRunning {
				switch to {
				case trace.GoRunnable:
					if st.Reason == "preempted" {
						endSlice(l, t, "preempted", "")
						l.g.Preemptions = append(l.g.Preemptions, Preemption{At: t, Async: asyncPreempt(st.Stack)})
					} else {
						endSlice(l, t, "yield", st.Reason)
					}
				case trace.GoWaiting:
					endSlice(l, t, "blocked", st.Reason)
					l.blocked, l.block = true, Block{At: t, Reason: st.Reason}
				case trace.GoSyscall:
					endSlice(l, t, "syscall", "")
					l.blocked, l.block = true, Block{At: t, Reason: "syscall"}
				case trace.GoNotExist:
					endSlice(l, t, "exit", "")
				default:
					endSlice(l, t, to.String(), st.Reason)
				}
			}
			if l.blocked && to != trace.GoWaiting && to != trace.GoSyscall {
				l.block.Until = t
				if w := e.Goroutine(); w != trace.NoGoroutine && w != st.Resource.Goroutine() {
					l.block.WokenBy = int64(w)
				}
				l.g.Blocks = append(l.g.Blocks, l.block)
				l.blocked = false
			}
			if to == trace.GoRunning && from != trace.GoRunning {
				th := int64(e.Thread())
				if l.thread >= 0 && th != l.thread {
					l.g.Migrations++
				}
				l.thread = th
				l.running = true
				l.slice = Slice{Start: t, P: int(e.Proc()), Thread: th}
			}
		}
	}
	for _, id := range order {
		l := byID[id]
		endSlice(l, r.End, "end of trace", "")
		if l.blocked {
			l.block.Until = r.End
			l.g.Blocks = append(l.g.Blocks, l.block)
		}
		switch {
		case l.g.Lane != "":
			r.Goroutines = append(r.Goroutines, l.g)
		case len(l.g.Slices) > 0:
			r.Others = append(r.Others, l.g)
		}
	}
	if r.GOMAXPROCS == 0 {
		r.GOMAXPROCS = runtime.GOMAXPROCS(0)
	}
	return r, nil
}

// asyncPreempt reports whether a preempted goroutine's stack shows the
// signal-driven preemption path.
func asyncPreempt(s trace.Stack) bool {
	for f := range s.Frames() {
		if strings.HasPrefix(f.Func, "runtime.asyncPreempt") {
			return true
		}
	}
	return false
}

// Lane returns the lesson's goroutines named after lane.
func (r *Run) Lane(lane string) []*Goroutine {
	var out []*Goroutine
	for _, g := range r.Goroutines {
		if g.Lane == lane {
			out = append(out, g)
		}
	}
	return out
}

// Lanes returns the lanes of the lesson's goroutines, in the order they
// first ran.
func (r *Run) Lanes() []string {
	var lanes []string
	for _, g := range r.Goroutines {
		if !slices.Contains(lanes, g.Lane) {
			lanes = append(lanes, g.Lane)
		}
	}
	return lanes
}

// Summary counts what the lesson's goroutines did, for the run record
// (course.Run.Traced).
func (r *Run) Summary() report.Trace {
	s := report.Trace{GOMAXPROCS: r.GOMAXPROCS}
	threads, procs := map[int64]bool{}, map[int]bool{}
	for _, g := range r.Goroutines {
		if len(g.Slices) > 0 {
			s.Goroutines++
		}
		for _, sl := range g.Slices {
			threads[sl.Thread] = true
			if sl.P >= 0 {
				procs[sl.P] = true
			}
		}
		s.Migrations += g.Migrations
		s.Preemptions += len(g.Preemptions)
	}
	s.Threads, s.ProcsUsed = len(threads), len(procs)
	return s
}

// Preempted counts the times the scheduler preempted one of the lesson's
// goroutines, and how many of those were asynchronous (a signal that
// stopped it wherever it was, even in a loop that calls nothing).
func (r *Run) Preempted() (all, async int) {
	for _, g := range r.Goroutines {
		for _, p := range g.Preemptions {
			all++
			if p.Async {
				async++
			}
		}
	}
	return all, async
}

// Overlap returns the total time during which two or more of the lesson's
// goroutines ran at the same moment: zero when they took turns.
func (r *Run) Overlap() time.Duration {
	type edge struct {
		t time.Duration
		d int
	}
	var edges []edge
	for _, g := range r.Goroutines {
		for _, s := range g.Slices {
			edges = append(edges, edge{s.Start, +1}, edge{s.End, -1})
		}
	}
	// Ends sort before starts at the same instant: touching is not overlapping.
	slices.SortFunc(edges, func(a, b edge) int {
		return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.d, b.d))
	})
	var total time.Duration
	n := 0
	for i, e := range edges {
		if n >= 2 && i > 0 {
			total += e.t - edges[i-1].t
		}
		n += e.d
	}
	return total
}

// WriteTo writes the raw execution trace to w, in the format that
// `go tool trace` reads.
func (r *Run) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(r.raw)
	return int64(n), err
}

// Save writes the raw execution trace to the file path, so that
// `go tool trace path` opens it in a browser.
func (r *Run) Save(path string) error {
	return os.WriteFile(path, r.raw, 0o644)
}

// Chart draws what the scheduler did: one row per P, one bar per stretch
// a goroutine ran there, coloured by the lane it worked for, the runtime's
// and the helpers' goroutines in grey (see chart.SchedGantt). Its time
// axis is the run's timeline's, so it lines up with the run's Gantt chart.
func (r *Run) Chart(title string) *chart.Chart {
	var stretches []chart.Stretch
	add := func(gs []*Goroutine) {
		for _, g := range gs {
			for _, s := range g.Slices {
				if s.P < 0 {
					continue
				}
				stop := s.Stop
				if s.Reason != "" {
					stop += " (" + s.Reason + ")"
				}
				stretches = append(stretches, chart.Stretch{P: s.P, Start: s.Start, End: s.End,
					Lane: g.Lane, Goroutine: g.ID, Thread: s.Thread, Stop: stop})
			}
		}
	}
	add(r.Goroutines)
	add(r.Others)
	sum := r.Summary()
	subtitle := fmt.Sprintf("GOMAXPROCS %d · %d goroutines on %d Ps and %d OS threads · %d preemptions, %d migrations",
		sum.GOMAXPROCS, sum.Goroutines, sum.ProcsUsed, sum.Threads, sum.Preemptions, sum.Migrations)
	return chart.SchedGantt(title, subtitle, r.GOMAXPROCS, stretches)
}

// A Wake is a moment one of the lesson's goroutines made another runnable
// (a channel send, an unlock, a WaitGroup's last Done): a hand-off.
type Wake struct {
	At       time.Duration // on the timeline's clock
	From, To string        // the lanes of the waker and of the goroutine it woke
	Reason   string        // what the woken goroutine had waited on
}

// Wakes returns every time one of the lesson's goroutines woke another of
// another lane, in time order.
func (r *Run) Wakes() []Wake {
	lane := map[int64]string{}
	for _, g := range r.Goroutines {
		lane[g.ID] = g.Lane
	}
	var wakes []Wake
	for _, g := range r.Goroutines {
		for _, b := range g.Blocks {
			if from, ok := lane[b.WokenBy]; ok && from != g.Lane {
				wakes = append(wakes, Wake{At: b.Until, From: from, To: g.Lane, Reason: b.Reason})
			}
		}
	}
	slices.SortStableFunc(wakes, func(a, b Wake) int { return cmp.Compare(a.At, b.At) })
	return wakes
}

// Handoffs draws the lesson's goroutines one row per lane: when each ran,
// when it waited and on what, and an arrow for every wake (see Wakes and
// chart.Handoffs): who handed what to whom.
func (r *Run) Handoffs(title string) *chart.Chart {
	var running []chart.Stretch
	var waits []chart.Wait
	for _, g := range r.Goroutines {
		for _, s := range g.Slices {
			running = append(running, chart.Stretch{P: s.P, Start: s.Start, End: s.End,
				Lane: g.Lane, Goroutine: g.ID, Thread: s.Thread, Stop: s.Stop})
		}
		for _, b := range g.Blocks {
			waits = append(waits, chart.Wait{Lane: g.Lane, Start: b.At, End: b.Until, Reason: b.Reason})
		}
	}
	var wakes []chart.Wake
	for _, w := range r.Wakes() {
		wakes = append(wakes, chart.Wake(w))
	}
	return chart.Handoffs(title, fmt.Sprintf("%d hand-offs between the lesson's goroutines", len(wakes)), running, waits, wakes)
}
