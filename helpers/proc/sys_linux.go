package proc

import (
	"os"
	"syscall"
)

// sysProcAttr makes the kernel kill the child when the parent dies, even
// by SIGKILL (GoNB kills a cell that ignores an interrupt for 5 s).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// fSetPipeSize is Linux's F_SETPIPE_SZ.
const fSetPipeSize = 1031

// growPipe asks for a 1 MiB pipe buffer (the default is 64 KiB), so that a
// large message crosses in fewer wake-ups of the reader. It is only a
// hint: the kernel may refuse, and the pipe then works as before.
func growPipe(f *os.File) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSize, 1<<20)
	})
}
