package pytwin

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

func TestRun(t *testing.T) {
	var got struct {
		Args   []string    `json:"args"`
		Python string      `json:"python"`
		Stdin  string      `json:"stdin"`
		Interp Interpreter `json:"interpreter"`
	}
	if err := Run(context.Background(), "echo_args.py", &got, "a", "b c"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Args, "|") != "a|b c" || !strings.HasPrefix(got.Python, "3.") || got.Stdin != "" {
		t.Errorf("got %+v", got)
	}
	if got.Interp.Version != got.Python || got.Interp.Implementation == "" || got.Interp.DefaultStartMethod == "" {
		t.Errorf("interpreter %+v, want this Python's (%s)", got.Interp, got.Python)
	}
}

// TestInterpreter reads what twins print of their Python: this machine's
// CPython, and a free-threaded 3.14 (testdata/free-threaded.json, in the
// shape interp.py prints; no free-threaded build can be installed here).
func TestInterpreter(t *testing.T) {
	var ft struct {
		Interp Interpreter `json:"interpreter"`
	}
	b, err := os.ReadFile("testdata/free-threaded.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ft); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in       Interpreter
		parallel bool
		text     string
	}{
		{Interpreter{Version: "3.11.2", Implementation: "CPython", GIL: true, StartMethod: "fork", DefaultStartMethod: "fork"}, false,
			"CPython 3.11.2 (GIL on; processes started by fork, this Python's default: fork)"},
		{ft.Interp, true, "CPython 3.14.0 (free-threaded, GIL off; processes started by forkserver, this Python's default: forkserver)"},
		{Interpreter{Version: "3.13.0", Implementation: "CPython", GIL: true, FreeThreaded: true}, false,
			"CPython 3.13.0 (free-threaded build, GIL on)"},
		{Interpreter{}, false, "an unknown Python (the twin did not say)"},
	}
	for _, tt := range tests {
		if got := tt.in.ParallelThreads(); got != tt.parallel {
			t.Errorf("%v: ParallelThreads = %v, want %v", tt.in, got, tt.parallel)
		}
		if got := tt.in.String(); got != tt.text {
			t.Errorf("String() = %q, want %q", got, tt.text)
		}
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		script string
		args   []string
		want   string
	}{
		{"echo_args.py", []string{"fail"}, "asked to fail"},
		{"echo_args.py", []string{"garbage"}, "printed no JSON"},
		{"no_such_twin.py", nil, "no such file"},
		{"../go.mod", nil, "is not the name of a script"},
		{"echo_args", nil, "is not the name of a script"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(append([]string{tt.script}, tt.args...), " "), func(t *testing.T) {
			var v any
			err := Run(context.Background(), tt.script, &v, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run(%s %v) = %v, want an error saying %q", tt.script, tt.args, err, tt.want)
			}
		})
	}
}

func TestPythonFromTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("not a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		env, want string // want: the error's words, or "" for none
	}{
		{filepath.Join(dir, "missing"), "is not an executable file"},
		{dir, "is not an executable file"},
		{plain, "is not an executable file"},
		{"", ""}, // the course's own Python
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv(PythonEnv, tt.env)
			p, err := Python()
			switch {
			case tt.want == "" && (err != nil || p == ""):
				t.Errorf("Python() = %q, %v; want the course's Python", p, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), PythonEnv)):
				t.Errorf("Python() with %s=%s = %q, %v; want an error naming %s and saying %q", PythonEnv, tt.env, p, err, PythonEnv, tt.want)
			}
		})
	}
}

func TestRunIsCancelled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	var v any
	err := Run(ctx, "echo_args.py", &v, "sleep")
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("a cancelled twin returned %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a cancelled twin took %v", d)
	}
}

// TestTimeline converts a twin's spans at the current unit; the spans come
// from lesson 01's dinner twin cooking a salad alone: chop 0-3, assemble
// 3-4, and the main thread, which started it, cannot go on until the chop's
// C sleep lets the GIL go, at 3.
func TestTimeline(t *testing.T) {
	// At 50 ms, half a unit is 25 ms: with both cores busy with other programs, CPython's chop once
	// ended 12 ms late at 20 ms (4.70 units for the salad).
	t.Setenv("COURSE_TIME_UNIT", "50ms")
	var got struct {
		Units float64 `json:"units"`
		Spans []Span  `json:"spans"`
	}
	if err := Run(context.Background(), "dinner.py", &got, "0.05", "salad", "0.005"); err != nil {
		t.Fatal(err)
	}
	const tol = 25 * time.Millisecond // half a unit: a busy machine wakes late
	// On a busy machine the salad's thread can also be ready and not yet
	// running (measured in CI: 3 ms before the chop began); the twin reports
	// that as a short wait for the GIL, which must stay within the tolerance.
	var spans []timing.Span
	for _, s := range Timeline(got.Spans).Spans() {
		if s.Lane == "salad" && s.Task == "waiting for the GIL" {
			if s.End-s.Start > tol {
				t.Errorf("the salad waited %v for the GIL, want under %v", s.End-s.Start, tol)
			}
			continue
		}
		spans = append(spans, s)
	}
	want := []struct {
		task       string
		start, end time.Duration
	}{
		{"waiting to start salad (for the GIL)", 0, 150 * time.Millisecond},
		{"chop vegetables", 0, 150 * time.Millisecond},
		{"assemble salad", 150 * time.Millisecond, 200 * time.Millisecond},
	}
	if len(spans) != len(want) {
		t.Fatalf("spans %+v, want %d", spans, len(want))
	}
	for i, w := range want {
		s := spans[i]
		lane := "salad"
		if i == 0 {
			lane = "main"
		}
		if s.Lane != lane || s.Task != w.task || (s.Start-w.start).Abs() > tol || (s.End-w.end).Abs() > tol {
			t.Errorf("span %d = %+v, want %s %q from %v to %v", i, s, lane, w.task, w.start, w.end)
		}
	}
	if got.Units < 3.9 || got.Units > 4.5 { // 0.5 units: 25 ms
		t.Errorf("the salad took %.2f units, want 4", got.Units)
	}
}
