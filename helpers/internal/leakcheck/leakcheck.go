// Package leakcheck holds the checks that the helpers' tests share to
// prove that nothing is left behind: no goroutine, no process.
package leakcheck

import (
	"errors"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// Goroutines fails t when more goroutines run than before, once the
// runtime has had up to 3 s to end the ones that are finishing. The
// failure shows every goroutine's stack.
func Goroutines(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines left, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// Gone reports whether no process has the given PID any more.
func Gone(pid int) bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }
