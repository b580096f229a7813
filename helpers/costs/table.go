package costs

import (
	"fmt"
	"math"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart"
	"github.com/concurrency-kitchen/course/helpers/pytwin"
)

// Python is what the Python twin, lessons/python/choosing.py, prints: the same measurements for
// a Python thread and a multiprocessing process, in µs and KiB.
type Python struct {
	Version   string             `json:"python"`
	Interp    pytwin.Interpreter `json:"interpreter"`
	StartJoin struct {
		Thread  float64 `json:"thread"`
		Process float64 `json:"process"`
	} `json:"start_join_us"`
	Memory struct {
		ThreadRSS         float64 `json:"thread_rss"`
		ThreadKernelStack float64 `json:"thread_kernel_stack"`
		ProcessPrivate    float64 `json:"process_private"`
		ProcessRSS        float64 `json:"process_rss"`
	} `json:"memory_kib"`
	Switch struct {
		Threads   float64 `json:"threads"`
		Processes float64 `json:"processes"`
	} `json:"switch_us"`
	Talk struct {
		QueueValue    float64 `json:"queue_value"`
		LockedAdd     float64 `json:"locked_add"`
		PoolRoundTrip float64 `json:"pool_round_trip"`
	} `json:"talk_us"`
	Crash struct {
		Thread struct {
			ProgramWentOn bool   `json:"program_went_on"`
			Exception     string `json:"exception"`
		} `json:"thread"`
		PoolTasks  int `json:"pool_tasks"`
		PoolOK     int `json:"pool_ok"`
		PoolBroken int `json:"pool_broken"`
	} `json:"crash"`
}

// Figures are the Go measurements of the table, one field per measurement.
type Figures struct {
	// Start a worker that does nothing and wait for it, per worker.
	StartGoroutine, StartThread, StartProcess time.Duration
	// What each waiting worker holds: goroutines and locked goroutines, measured by Hold; a
	// worker process's private and resident memory, in KiB.
	MemGoroutine, MemThread          Memory
	MemProcessPrivate, MemProcessRSS float64
	// One hand-off of a ping-pong: goroutines, locked goroutines, processes over pipes.
	SwitchGoroutines, SwitchThreads, SwitchPipes time.Duration
	// A value through a channel, an addition under a mutex, a round trip to a worker process.
	ChanValue, MutexAdd, RoundTrip time.Duration
	// The panicking kitchen (PanicInChild): steps finished, and the child's error.
	PanicSteps int
	PanicErr   error
	// The crash in a pool (CrashInPool): dishes cooked of six, worker processes started.
	DishesCooked, PoolWorkers int
}

// micros converts a duration to microseconds, the twin's unit.
func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// fromMicros turns the twin's microseconds into a duration.
func fromMicros(v float64) time.Duration { return time.Duration(v * 1e3) }

// exitStatus finds "exit status N" in a child's error.
var exitStatus = regexp.MustCompile(`exit status \d+`)

// Table returns the fifth text's comparison table rebuilt from f and py, as Markdown: one row per
// aspect, one column per kind of worker (goroutine, OS thread, Go process, Python thread, Python
// process), then what the fifth text said and what backs the row. Each measured cell says how
// many times the goroutine's figure it is. Below the table, two lines compare Python's starts
// with Go's.
func Table(f Figures, py Python) string {
	g, sw := f.StartGoroutine, f.SwitchGoroutines
	mem, thread := f.MemGoroutine.RSSKiB, f.MemThread.Total()
	pyThread := py.Memory.ThreadRSS + py.Memory.ThreadKernelStack
	dur := func(d, base time.Duration) string { return Human(d) + Times(float64(d), float64(base)) }
	us := func(v float64, base time.Duration) string { return dur(fromMicros(v), base) }
	threadsMax, pidMax := Text("/proc/sys/kernel/threads-max"), Text("/proc/sys/kernel/pid_max")
	pyScheduled, pyParallel, pyBest := "the kernel; one at a time runs Python code (the GIL)", "not Python code (the GIL)", "waiting Python code"
	if py.Interp.ParallelThreads() { // a free-threaded CPython with the GIL off
		pyScheduled, pyParallel, pyBest = "the kernel (GIL off)", "yes: this Python runs with the GIL off", "waiting or computing Python code"
	}
	rows := [][8]string{
		{"scheduled by", "the Go runtime, preemptively", "the kernel", "the kernel", pyScheduled, "the kernel",
			"cooperative / preemptive / preemptive", "cited: `runtime/proc.go` (G, M, P), `runtime/preempt.go`"},
		{"runs in parallel", fmt.Sprintf("yes: up to GOMAXPROCS = %d at once", runtime.GOMAXPROCS(0)),
			"yes (Go code: on GOMAXPROCS threads at once)", "yes", pyParallel, "yes",
			"no / limited / yes", "cited: package `runtime`, GOMAXPROCS; measured: lesson 09"},
		{"**start + wait for one**", Human(g), dur(f.StartThread, g), dur(f.StartProcess, g),
			us(py.StartJoin.Thread, g), us(py.StartJoin.Process, g),
			"overhead: low / low / high", "measured: lesson 14, section 1"},
		{"**memory each, waiting**", KiB(mem),
			KiB(f.MemThread.RSSKiB) + " + " + KiB(f.MemThread.KernelKiB) + " in the kernel" + Times(thread, mem),
			KiB(f.MemProcessPrivate) + " private" + Times(f.MemProcessPrivate, mem) + "; RSS " + KiB(f.MemProcessRSS),
			KiB(py.Memory.ThreadRSS) + " + " + KiB(py.Memory.ThreadKernelStack) + " in the kernel" + Times(pyThread, mem),
			KiB(py.Memory.ProcessPrivate) + " private" + Times(py.Memory.ProcessPrivate, mem) + "; RSS " + KiB(py.Memory.ProcessRSS),
			"—", "measured: lesson 14, section 2; cited: `runtime/stack.go`, `stackMin = 2048`"},
		{"**one hand-off** (ping-pong)", Human(sw) + ", channels", dur(f.SwitchThreads, sw) + ", channels",
			dur(f.SwitchPipes, sw) + ", pipes", us(py.Switch.Threads, sw) + ", `queue.Queue`",
			us(py.Switch.Processes, sw) + ", pipes",
			"context switching: minimal / moderate / high", "measured: lesson 15, section 1"},
		{"**talk**", Human(f.ChanValue) + " a channel value; " + Human(f.MutexAdd) + " a mutex addition",
			"as goroutines: channels, mutexes", dur(f.RoundTrip, f.ChanValue) + " a round trip",
			Human(fromMicros(py.Talk.QueueValue)) + " a `queue.Queue` value; " + Human(fromMicros(py.Talk.LockedAdd)) + " a `Lock` addition",
			us(py.Talk.PoolRoundTrip, f.ChanValue) + " a round trip",
			"events, queues / locks, queues / pipes, queues", "measured: lesson 15, section 2"},
		{"memory shared", "yes; access must be serialized", "yes", "no: only what is sent", "yes", "no",
			"shared / shared / not shared", "cited: the Go memory model; measured: lesson 06"},
		{"**a crash**",
			fmt.Sprintf("a panic ends the program: the child ended (%s) after %d of 10 steps", exitStatus.FindString(fmt.Sprint(f.PanicErr)), f.PanicSteps),
			"the same: it is a goroutine",
			fmt.Sprintf("fails its own tasks: %d of 6 dishes cooked, %d workers started for 2 places", f.DishesCooked, f.PoolWorkers),
			fmt.Sprintf("a `%s` ended its thread only; the program went on: %v", py.Crash.Thread.Exception, py.Crash.Thread.ProgramWentOn),
			fmt.Sprintf("a dead worker broke the pool: %d of %d tasks done", py.Crash.PoolOK, py.Crash.PoolTasks),
			"fault tolerance: no / no / yes", "measured: lesson 15, section 3; cited: the spec, \"Handling panics\""},
		{"debugging", "`-race` finds data races; SIGQUIT or `GOTRACEBACK=all` prints every goroutine's stack",
			"the same", "one program at a time; each reports its own crash", "`faulthandler` dumps every thread's stack",
			"one program at a time", "easy / hard / hard",
			"cited: package `runtime` (GOTRACEBACK), package `os/signal`; measured: lesson 06 (`-race`), lesson 15"},
		{"how many", fmt.Sprintf("as memory allows: a million waiting ≈ %.1f GiB", mem*1e6/(1<<20)),
			"10,000 (the runtime's default limit; goroutines blocked in system calls hold threads too); the kernel's: " + threadsMax,
			"process ids up to " + pidMax,
			"the kernel's limit: " + threadsMax, "process ids up to " + pidMax,
			"scalability: good / limited / excellent", "cited: `runtime/debug.SetMaxThreads`; read: `/proc/sys/kernel`"},
		{"best for", "waiting: one per task; computing: GOMAXPROCS of them", "C libraries that need one fixed thread",
			"isolation: crashes, untrusted code, other programs", pyBest, "computing Python code",
			"I/O / I/O / CPU", "the decision guide below"},
	}
	var md strings.Builder
	md.WriteString("| aspect | goroutine | OS thread (a locked goroutine) | Go process | Python " + py.Version +
		" thread | Python process (" + py.Interp.StartMethod + ") | the fifth text said (asyncio / threads / processes) | backed by |\n")
	md.WriteString(strings.Repeat("|---", 8) + "|\n")
	for _, r := range rows {
		md.WriteString("| " + strings.Join(r[:], " | ") + " |\n")
	}
	md.WriteString("\n×N: N times the goroutine's figure in the same row (for talking, the channel value's). ")
	md.WriteString(faster("a forked Python process", py.StartJoin.Process, micros(f.StartProcess), "a Go process (exec)") + " ")
	md.WriteString(faster("a Python thread", py.StartJoin.Thread, micros(f.StartThread), "a Go OS thread") + "\n")
	return md.String()
}

// faster says which of two starts, a taking x and b taking y, was faster, and by how much.
func faster(a string, x, y float64, b string) string {
	if x > y {
		a, b, x, y = b, a, y, x
	}
	return fmt.Sprintf("%s%s started %.1fx faster than %s.", strings.ToUpper(a[:1]), a[1:], y/x, b)
}

// Ratios puts every cost of the table on one scale, in goroutines: for each aspect (start + wait,
// memory each, one hand-off, talk), the cost of an OS thread, a Go process, a Python thread and
// a Python process divided by the goroutine's (by a channel value's, for talking), rounded for
// the labels. It returns the aspects and one series per kind of worker, for chart.LogBars.
func Ratios(f Figures, py Python) (aspects []string, series []chart.Series) {
	ratios := func(vals ...float64) []float64 {
		out := make([]float64, len(vals)-1)
		for i, v := range vals[1:] {
			out[i] = math.Round(v/vals[0]*10) / 10
			if out[i] >= 10 {
				out[i] = math.Round(out[i])
			}
		}
		return out
	}
	rows := [][]float64{
		ratios(micros(f.StartGoroutine), micros(f.StartThread), micros(f.StartProcess), py.StartJoin.Thread, py.StartJoin.Process),
		ratios(f.MemGoroutine.RSSKiB, f.MemThread.Total(), f.MemProcessPrivate, py.Memory.ThreadRSS+py.Memory.ThreadKernelStack, py.Memory.ProcessPrivate),
		ratios(micros(f.SwitchGoroutines), micros(f.SwitchThreads), micros(f.SwitchPipes), py.Switch.Threads, py.Switch.Processes),
		ratios(micros(f.ChanValue), math.NaN(), micros(f.RoundTrip), py.Talk.QueueValue, py.Talk.PoolRoundTrip),
	}
	aspects = []string{"start + wait", "memory each", "one hand-off", "talk (value or round trip)"}
	for i, kind := range []string{"OS thread", "Go process", "Python thread", "Python process"} {
		s := chart.Series{Name: kind}
		for _, row := range rows {
			s.Values = append(s.Values, row[i])
		}
		series = append(series, s)
	}
	return aspects, series
}
