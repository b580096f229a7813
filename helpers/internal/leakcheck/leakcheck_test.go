package leakcheck

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps its errors instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Errorf(format string, _ ...any) { r.errors = append(r.errors, format) }

func TestGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	Goroutines(t, before) // nothing started: passes

	stop, done := make(chan struct{}), make(chan struct{})
	go func() { <-stop; close(done) }()
	r := &recorder{TB: t}
	Goroutines(r, before)
	close(stop)
	<-done // ended before the next test (or -count run) counts its goroutines
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "goroutines left") {
		t.Errorf("a goroutine left running gave %q", r.errors)
	}
}

func TestGone(t *testing.T) {
	if Gone(os.Getpid()) {
		t.Error("this process is gone")
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true command:", err)
	}
	if !Gone(cmd.Process.Pid) {
		t.Errorf("a process that exited and was waited for (pid %d) is not gone", cmd.Process.Pid)
	}
}
