package pytwin

import (
	"os"
	"syscall"
)

// sysProcAttr gives the twin a process group of its own, so that
// killGroup reaches the processes it starts too, and has Linux kill the
// twin if the cell's program dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the twin's process group: the twin and its children.
func killGroup(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGKILL) }
