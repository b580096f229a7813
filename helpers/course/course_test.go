package course

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/concurrency-kitchen/course/helpers/report"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// TestMain runs a cell's main function in the child of TestCheckEndsTheProgram, outside the
// testing package's own panic handler, as a cell's program runs it.
func TestMain(m *testing.M) {
	if os.Getenv("COURSE_FRAME_TEST_CHILD") == "1" {
		cellMain()
		return
	}
	os.Exit(m.Run())
}

func cellMain() {
	defer os.Stdout.WriteString("deferred clean-up ran\n")
	Check(errors.New("the oven is broken"))
}

func TestRunRecords(t *testing.T) {
	t.Setenv(timing.UnitEnv, "10ms")
	t.Setenv(report.StrictEnv, "")
	tests := []struct {
		name    string
		sleep   time.Duration
		want    report.Expectation
		ok      bool
		minUnit float64
		trace   *report.Trace // given to Traced before Finish
	}{
		{"within the model", 20 * time.Millisecond, report.Between(2, 1.9, 20), true, 2, nil},
		{"slower than the model", 30 * time.Millisecond, report.Near(1, 0.1), false, 3, nil},
		{"no model", 0, report.NoModel, true, 0, nil},
		{"traced", 0, report.NoModel, true, 0, &report.Trace{GOMAXPROCS: 2, Goroutines: 1, Threads: 1, ProcsUsed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &display.Recorder{}
			defer display.Use(rec)()
			run := Lesson("99-test").start("kitchen", tt.name, noQuota)
			end := run.TL.Track("cook", "wait")
			time.Sleep(tt.sleep)
			end()
			if tt.trace != nil {
				run.Traced(*tt.trace)
			}
			got := run.Finish(tt.want)
			if (got.Trace == nil) != (tt.trace == nil) || (tt.trace != nil && *got.Trace != *tt.trace) {
				t.Errorf("record's trace %+v, want %+v", got.Trace, tt.trace)
			}
			if got.Lesson != "99-test" || got.Experiment != "kitchen" || got.Variant != tt.name {
				t.Errorf("record names %q/%q/%q", got.Lesson, got.Experiment, got.Variant)
			}
			if got.OK != tt.ok || got.Units < tt.minUnit || len(got.Timeline) != 1 {
				t.Errorf("ok=%v units=%v spans=%d, want ok=%v units>=%v and one span", got.OK, got.Units, len(got.Timeline), tt.ok, tt.minUnit)
			}
			items := rec.Of(report.MIME)
			if len(items) != 1 {
				t.Fatalf("%d run records published, want 1", len(items))
			}
			var published report.Run
			if err := json.Unmarshal([]byte(items[0].Body), &published); err != nil || published.Lesson != "99-test" {
				t.Errorf("published %s (%v)", items[0].Body, err)
			}
			if traced := strings.Contains(items[0].Body, `"trace":{"gomaxprocs":2,`); traced != (tt.trace != nil) {
				t.Errorf("published %s: traced %v, want %v", items[0].Body, traced, tt.trace != nil)
			}
		})
	}
}

// noQuota reads the throttled time of a cgroup with no CPU quota.
func noQuota() (time.Duration, bool) { return 0, false }

// TestHeldUp: a run that the container's CPU quota held up is judged with the band raised by
// what the cgroup's count says, up to Stop, and only then; the message says so.
func TestHeldUp(t *testing.T) {
	t.Setenv(timing.UnitEnv, "10ms")
	t.Setenv(report.StrictEnv, "")
	tests := []struct {
		name     string
		readings []time.Duration // the count at Start, at Stop (or Finish), and any later reading
		quota    bool
		stop     bool
		ok       bool
		max      float64 // the record's expected_max
		says     bool    // whether Finish prints the ⏸ line
	}{
		{"no quota", nil, false, false, false, 1.1, false},
		{"quota, never throttled", []time.Duration{70 * time.Millisecond, 70 * time.Millisecond}, true, false, false, 1.1, false},
		{"held up 200 ms", []time.Duration{70 * time.Millisecond, 270 * time.Millisecond}, true, false, true, 21.1, true},
		{"held up 10 ms: not enough", []time.Duration{0, 10 * time.Millisecond}, true, false, false, 2.1, true},
		{"held up after Stop: not counted", []time.Duration{0, 0, 500 * time.Millisecond}, true, true, false, 1.1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := 0
			read := func() (time.Duration, bool) {
				if !tt.quota {
					return 0, false
				}
				d := tt.readings[min(i, len(tt.readings)-1)]
				i++
				return d, true
			}
			defer display.Use(&display.Recorder{})()
			out := captureStdout(t, func() {
				run := Lesson("99-test").start("kitchen", tt.name, read)
				time.Sleep(30 * time.Millisecond) // 3 units against a model of 1 ± 0.1
				if tt.stop {
					run.Stop()
				}
				got := run.Finish(report.Near(1, 0.1))
				if got.OK != tt.ok || got.ExpectedMax == nil || *got.ExpectedMax != tt.max {
					t.Errorf("ok=%v expected_max=%v, want ok=%v max=%v", got.OK, got.ExpectedMax, tt.ok, tt.max)
				}
			})
			if says := strings.Contains(out, "⏸ the container's CPU quota held it up"); says != tt.says {
				t.Errorf("printed %q: the held-up line %v, want %v", out, says, tt.says)
			}
		})
	}
}

// captureStdout returns what f prints on standard output.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	defer func() { os.Stdout = old }()
	f()
	os.Stdout = old
	w.Close()
	return <-done
}

// TestStop: Finish reports the time up to Stop, not the time after it.
func TestStop(t *testing.T) {
	t.Setenv(timing.UnitEnv, "10ms")
	t.Setenv(report.StrictEnv, "")
	defer display.Use(&display.Recorder{})()
	run := Lesson("99-test").start("kitchen", "stopped", noQuota)
	time.Sleep(20 * time.Millisecond)
	at := run.Stop()
	time.Sleep(30 * time.Millisecond) // after the timed work: not counted
	if again := run.Stop(); again != at || run.Elapsed() != at {
		t.Errorf("Stop %v, then %v and Elapsed %v: want the first time each time", at, again, run.Elapsed())
	}
	got := run.Finish(report.NoModel)
	if got.Units < 2 || got.Units >= 4.5 {
		t.Errorf("%v units reported, want the 2 before Stop (under 4.5)", got.Units)
	}
}

// TestStartOn: a run started on a timeline that already has spans reports them all, and its
// time starts at StartOn, not at the timeline's origin.
func TestStartOn(t *testing.T) {
	t.Setenv(timing.UnitEnv, "10ms")
	t.Setenv(report.StrictEnv, "")
	defer display.Use(&display.Recorder{})()
	tl := timing.NewTimeline()
	end := tl.Track("worker", "start-up")
	time.Sleep(30 * time.Millisecond) // before the run: on the chart, not in its time
	end()
	run := Lesson("99-test").StartOn(tl, "kitchen", "on a timeline")
	end = run.TL.Track("worker", "cook")
	time.Sleep(20 * time.Millisecond)
	end()
	got := run.Finish(report.NoModel)
	if got.Units < 2 || got.Units >= 4.5 {
		t.Errorf("%v units, want the 2 after StartOn (under 4.5), not the 5 since the timeline began", got.Units)
	}
	if run.TL != tl || len(got.Timeline) != 2 || got.Timeline[0].Task != "start-up" || got.Timeline[1].Task != "cook" {
		t.Errorf("the record's timeline: %+v, want the start-up and the cook", got.Timeline)
	}
}

func TestReportAndGantt(t *testing.T) {
	t.Setenv(timing.UnitEnv, "10ms")
	rec := &display.Recorder{}
	defer display.Use(rec)()
	tl := timing.NewTimeline()
	tl.Add(timing.Span{Lane: "pasta", Task: "boil", Start: 0, End: 30 * time.Millisecond})
	r := Lesson("99-test").Report("kitchen", "measured", 30*time.Millisecond, tl, report.Near(3, 0.1))
	if !r.OK || r.Lesson != "99-test" {
		t.Errorf("Report: %+v", r)
	}
	if rec2 := Lesson("99-test").Record("kitchen", "quiet", 10*time.Millisecond, nil, report.NoModel); rec2.Lesson != "99-test" || rec2.Units != 1 {
		t.Errorf("Record: %+v", rec2)
	}
	run := Lesson("99-test").Start("kitchen", "chart")
	run.TL.Add(timing.Span{Lane: "pasta", Task: "boil", Start: 0, End: 30 * time.Millisecond})
	run.Gantt("A chart")
	if html := rec.Of("text/html"); len(html) != 1 || !strings.Contains(html[0].Body, "A chart") {
		t.Errorf("Gantt showed %d HTML items", len(html))
	}
}

func TestCheckRunsDefersThenStops(t *testing.T) {
	var stopped error
	old := stop
	stop = func(err error) { stopped = err; panic(err) }
	defer func() { stop = old }()
	boom := errors.New("no oven")
	tests := []struct {
		name string
		err  error
	}{{"nil does nothing", nil}, {"an error stops", boom}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stopped = nil
			cleaned := false
			func() {
				defer func() { _ = recover() }()
				defer func() { cleaned = true }()
				if got := Must(42, tt.err); got != 42 {
					t.Errorf("Must returned %d", got)
				}
			}()
			if !errors.Is(stopped, tt.err) || (tt.err != nil && !cleaned) {
				t.Errorf("stopped with %v (cleaned %v), want %v", stopped, cleaned, tt.err)
			}
		})
	}
}

// TestCheckEndsTheProgram runs a program that stops on an error: its deferred call runs, the
// error is in its output, and it exits non-zero.
func TestCheckEndsTheProgram(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCheckEndsTheProgram$")
	cmd.Env = append(os.Environ(), "COURSE_FRAME_TEST_CHILD=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("the program did not fail: %v\n%s", err, out)
	}
	text := string(out)
	if !strings.Contains(text, "deferred clean-up ran") || !strings.Contains(text, "panic: the oven is broken") {
		t.Errorf("output:\n%s", text)
	}
}

func TestContextEndsOnInterrupt(t *testing.T) {
	ctx := Context()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the context was not cancelled by SIGINT")
	}
}
