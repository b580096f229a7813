// Package pytwin runs the Python twin of an experiment: a script in the
// course's lessons/python/ folder, run with the course's Python, which
// prints its measurements as one JSON document. A lesson plots Python's
// figure beside Go's, both measured in the same run.
package pytwin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/courseroot"
	"github.com/concurrency-kitchen/course/helpers/internal/lastlines"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// PythonEnv names a Python interpreter to use instead of the course's.
const PythonEnv = "COURSE_PYTHON"

// Python returns the interpreter the twins run with: $COURSE_PYTHON, else
// the course's virtualenv (.venv/bin/python), else python3 on PATH.
func Python() (string, error) {
	if p := os.Getenv(PythonEnv); p != "" {
		if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("pytwin: %s=%s is not an executable file: set it to a Python 3 interpreter, or unset it to use the course's", PythonEnv, p)
		}
		return p, nil
	}
	if root, err := courseroot.Dir(); err == nil {
		p := filepath.Join(root, ".venv", "bin", "python")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("python3")
	if err != nil {
		return "", errors.New("pytwin: no Python found: run the course set-up or set " + PythonEnv)
	}
	return p, nil
}

// Script returns the path of a twin script, lessons/python/name.
func Script(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || !strings.HasSuffix(name, ".py") {
		return "", fmt.Errorf("pytwin: %q is not the name of a script in lessons/python", name)
	}
	root, err := courseroot.Dir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "lessons", "python", name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("pytwin: %w", err)
	}
	return p, nil
}

// Interpreter is what a twin says of the Python that ran it: each twin
// prints it under "interpreter" (lessons/python/interp.py). A lesson's
// text and checks follow it: on a free-threaded CPython (3.13t, 3.14t;
// PEP 703, PEP 779) with the GIL off, threads compute in parallel, and
// how processes start (fork, spawn, forkserver) decides what a child sees.
type Interpreter struct {
	Version        string `json:"version"`
	Implementation string `json:"implementation"`
	GIL            bool   `json:"gil"`           // whether the GIL was on
	FreeThreaded   bool   `json:"free_threaded"` // a build that can run without the GIL
	// StartMethod is how the twin started its processes ("" when it
	// started none); DefaultStartMethod is what this Python uses unasked.
	StartMethod        string `json:"start_method"`
	DefaultStartMethod string `json:"default_start_method"`
}

// ParallelThreads reports whether this Python's threads can run Python
// code at the same time: only with the GIL off.
func (i Interpreter) ParallelThreads() bool { return i.Version != "" && !i.GIL }

// String describes the interpreter in a line, as in "CPython 3.11.2 (GIL
// on; processes started by fork, this Python's default: fork)".
func (i Interpreter) String() string {
	if i.Version == "" {
		return "an unknown Python (the twin did not say)"
	}
	gil := "GIL on"
	switch {
	case !i.GIL:
		gil = "free-threaded, GIL off"
	case i.FreeThreaded:
		gil = "free-threaded build, GIL on"
	}
	s := fmt.Sprintf("%s %s (%s", i.Implementation, i.Version, gil)
	if i.StartMethod != "" {
		s += fmt.Sprintf("; processes started by %s, this Python's default: %s", i.StartMethod, i.DefaultStartMethod)
	}
	return s + ")"
}

// Run runs the twin script name with args and decodes the JSON it prints
// into v. The script gets no standard input and is killed when ctx is
// done; a failure names the script and quotes the end of its standard
// error.
func Run(ctx context.Context, name string, v any, args ...string) error {
	py, err := Python()
	if err != nil {
		return err
	}
	script, err := Script(name)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, py, append([]string{script}, args...)...)
	var stdout bytes.Buffer
	stderr := &lastlines.Writer{Max: 8}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.SysProcAttr = sysProcAttr()
	cmd.Cancel = func() error { return killGroup(cmd.Process) } // its children too
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pytwin: %s %s: %v%s", filepath.Base(py), name, err, stderr.Suffix("its last output"))
	}
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), v); err != nil {
		return fmt.Errorf("pytwin: %s printed no JSON document: %v (it printed %q)", name, err, trim(stdout.String(), 200))
	}
	return nil
}

// trim cuts s to n bytes, marking the cut with "...".
func trim(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// A Span is one task a twin timed, as twins print it: start and end in
// units from the twin's own start.
type Span struct {
	Lane  string  `json:"lane"`
	Task  string  `json:"task"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// Timeline returns a timeline holding a twin's spans, converted from units
// at the current unit, so that a Python run is drawn and recorded like a
// Go run. Its clock starts when it is made; the spans keep the twin's times.
func Timeline(spans []Span) *timing.Timeline {
	tl := timing.NewTimeline()
	for _, s := range spans {
		tl.Add(timing.Span{Lane: s.Lane, Task: s.Task, Start: timing.Units(s.Start), End: timing.Units(s.End)})
	}
	return tl
}
