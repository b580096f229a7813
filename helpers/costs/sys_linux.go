package costs

import (
	"os"
	"syscall"
)

// gettid is the id of the OS thread the calling goroutine runs on.
func gettid() int { return syscall.Gettid() }

// silenceStderr points this process's standard error (descriptor 2, where the runtime writes a
// panic's report) at /dev/null.
func silenceStderr() {
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		syscall.Dup3(int(null.Fd()), 2, 0)
		null.Close()
	}
}
