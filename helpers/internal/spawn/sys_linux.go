package spawn

import "syscall"

// sysProcAttr makes the kernel kill the child when the parent dies, even
// by SIGKILL (GoNB kills a cell that ignores an interrupt for 5 s).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
