// Package gil is a small, real-time model of CPython's global interpreter
// lock (the GIL), so that Go lessons can show what Python threads do.
//
// Each modelled Python thread runs on its own goroutine, but it may only
// "run Python code" while it holds the one lock. The model knows three
// kinds of step:
//
//   - Sleep is Python's time.sleep: it lets go of the lock while it waits,
//     so other threads run meanwhile;
//   - CSleep is a C function that sleeps without letting go (the seed's
//     Cython c_sleep): every other thread waits;
//   - the end of a thread lets go for good;
//   - Python (and Loop, for a loop) runs "Python code": holding the lock,
//     but handing it over at a Step when another thread has waited longer
//     than the switch interval, as CPython's interpreter does between
//     bytecodes;
//   - Native runs a function that lets go of the lock while it computes,
//     as NumPy does, so that it runs in parallel with the others.
//
// Waiting threads queue for the lock in the order they asked for it, and
// the lock passes to the first in the queue when its holder lets go.
//
// CPython also makes a running thread let go when another one has waited
// longer than the switch interval (sys.getswitchinterval, 5 ms), but the
// running thread only notices between two Python-level steps. A waiting
// thread counts the interval from when it asked for the lock or from the
// last time the lock changed hands, whichever is later (CPython's waiters
// start their timed wait again when the switch number changes), so every
// new holder may run a whole interval. With
// SwitchBetweenCalls set, a thread returning from a C call notices such a
// request and hands the lock over; without it, a thread goes straight from
// one C call to the next, as CPython does when nothing in between checks.
// Which of the two happens decides several of the seeds' results.
package gil

import (
	"fmt"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

// DefaultInterval is CPython's default switch interval.
const DefaultInterval = 5 * time.Millisecond

// Options set the model's knobs.
type Options struct {
	// Interval is the switch interval: how long a thread waits before it
	// asks the running one to let go. Zero means DefaultInterval.
	Interval time.Duration

	// SwitchBetweenCalls makes a thread that returns from a C call hand
	// the lock to a thread that has waited longer than Interval.
	SwitchBetweenCalls bool

	// Cooperative turns forced switching off altogether: a thread lets go
	// only in Sleep, Native or at its end, like an asyncio task at await.
	Cooperative bool
}

// A GIL is one interpreter's lock and the threads that share it.
type GIL struct {
	opts Options
	tl   *timing.Timeline

	mu     sync.Mutex
	holder *Thread
	queue  []*Thread     // waiting for the lock, first come first served
	handed time.Duration // when the lock last changed hands, on the timeline's clock
}

// New returns a free lock. The threads' steps, and their waits for the
// lock, are recorded on tl as spans whose lane is the thread's name.
func New(tl *timing.Timeline, opts Options) *GIL {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	return &GIL{opts: opts, tl: tl}
}

// A Thread is one modelled Python thread.
type Thread struct {
	Name string
	g    *GIL
	wake chan struct{} // receives when the lock is handed to this thread

	since time.Duration // when it joined the queue, on the timeline's clock

	// Inside Python: the task, when the current stretch began, and the
	// steps taken (used only by the thread's own goroutine).
	task    string
	stretch time.Duration
	steps   int
}

// NewThread creates a thread that asks for the lock now, from the calling
// goroutine: threads created one after another queue in that order, as
// Python threads started one after another do. Run the thread's body
// with Run, on a goroutine of its own.
func (g *GIL) NewThread(name string) *Thread {
	t := &Thread{Name: name, g: g, wake: make(chan struct{}, 1)}
	g.mu.Lock()
	g.enqueueLocked(t)
	g.mu.Unlock()
	return t
}

// Run waits for the lock, runs body holding it, and lets go at the end.
func (t *Thread) Run(body func(t *Thread)) {
	t.await()
	defer t.release()
	body(t)
}

// Sleep models Python's time.sleep(units): it lets go of the lock, sleeps,
// and queues to take it back. The sleep is recorded as task.
func (t *Thread) Sleep(task string, units float64) {
	t.Native(task, func() { time.Sleep(timing.Units(units)) }) // sleeping is a call that lets go
}

// CSleep models a C function that sleeps units while holding the lock, so
// that no other thread runs. It is recorded as task.
func (t *Thread) CSleep(task string, units float64) {
	end := t.g.tl.Track(t.Name, task)
	time.Sleep(timing.Units(units))
	end()
	if t.g.opts.SwitchBetweenCalls {
		t.checkSwitch(nil)
	}
}

// checkSwitch hands the lock over when the first waiting thread has waited
// longer than the switch interval, counted from when it asked or from the
// last hand-over, whichever is later, and waits to get the lock back.
// before runs, under the lock, just before the hand-over. It reports
// whether the thread switched.
func (t *Thread) checkSwitch(before func()) bool {
	g := t.g
	g.mu.Lock()
	if len(g.queue) == 0 || g.tl.Now()-max(g.queue[0].since, g.handed) < g.opts.Interval {
		g.mu.Unlock()
		return false
	}
	if before != nil {
		before()
	}
	g.handOffLocked()
	g.enqueueLocked(t)
	g.mu.Unlock()
	t.await()
	return true
}

// enqueueLocked puts t in line for the lock, or gives it the lock at once
// when it is free.
func (g *GIL) enqueueLocked(t *Thread) {
	t.since = g.tl.Now()
	if g.holder == nil {
		g.holder, g.handed = t, t.since
		t.wake <- struct{}{}
		return
	}
	g.queue = append(g.queue, t)
}

// handOffLocked gives the lock to the first thread in line, or frees it.
func (g *GIL) handOffLocked() {
	if len(g.queue) == 0 {
		g.holder = nil
		return
	}
	next := g.queue[0]
	g.queue = g.queue[1:]
	g.holder, g.handed = next, g.tl.Now()
	next.wake <- struct{}{}
}

// await blocks until the lock is handed to t, and records the wait when
// it lasted long enough to see on a chart (a hundredth of a unit).
func (t *Thread) await() {
	<-t.wake
	if waited := t.g.tl.Now() - t.since; waited > timing.Units(0.01) {
		t.g.tl.Add(timing.Span{Lane: t.Name, Task: "waiting for the GIL", Start: t.since, End: t.since + waited})
	}
}

// release lets go of the lock, which must be held by t.
func (t *Thread) release() {
	g := t.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.holder != t {
		panic(fmt.Sprintf("gil: thread %q lets go of a lock it does not hold", t.Name))
	}
	g.handOffLocked()
}

// checkEvery is how many steps run between two checks for a switch
// request: the model's stand-in for CPython's "eval breaker".
const checkEvery = 256

// Python runs f as Python code recorded as task: holding the lock, while f
// calls t.Step at its "bytecode boundaries" (a loop iteration, a function
// call), where the thread hands the lock to the first waiting thread if
// that one has waited longer than the switch interval. Each stretch the
// thread runs is a span. Python calls do not nest.
func (t *Thread) Python(task string, f func()) {
	t.task, t.stretch, t.steps = task, t.g.tl.Now(), 0
	f()
	t.g.tl.Add(timing.Span{Lane: t.Name, Task: task, Start: t.stretch, End: t.g.tl.Now()})
	t.task = ""
}

// Step marks a bytecode boundary inside Python: every checkEvery steps it
// hands the lock over when a thread has waited longer than the switch
// interval (never in a cooperative model). Outside Python it does nothing.
func (t *Thread) Step() {
	t.steps++
	g := t.g
	if t.task == "" || g.opts.Cooperative || t.steps%checkEvery != 0 {
		return
	}
	end := func() { g.tl.Add(timing.Span{Lane: t.Name, Task: t.task, Start: t.stretch, End: g.tl.Now()}) }
	if t.checkSwitch(end) {
		t.stretch = g.tl.Now()
	}
}

// Loop runs body(0), ..., body(n-1) as Python code (see Python), with a
// step after each iteration.
func (t *Thread) Loop(task string, n int, body func(i int)) {
	t.Python(task, func() {
		for i := range n {
			body(i)
			t.Step()
		}
	})
}

// Native runs f without the lock, as a C extension that releases the GIL
// does (NumPy's number crunching, say), then queues to take the lock back.
// f runs in parallel with the other threads. It is recorded as task.
func (t *Thread) Native(task string, f func()) {
	end := t.g.tl.Track(t.Name, task)
	t.release()
	f()
	end()
	t.g.mu.Lock()
	t.g.enqueueLocked(t)
	t.g.mu.Unlock()
	t.await()
}
