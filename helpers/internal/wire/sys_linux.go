package wire

import (
	"os"
	"syscall"
)

// fSetPipeSize is Linux's F_SETPIPE_SZ.
const fSetPipeSize = 1031

// GrowPipe asks for a 1 MiB buffer for the pipe that f is an end of (the
// default is 64 KiB), so that a large frame crosses in fewer wake-ups of
// the reader. It is only a hint: the kernel may refuse, and the pipe then
// works as before.
func GrowPipe(f *os.File) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSize, 1<<20)
	})
}
