package redisd

import "syscall"

// sysProcAttr gives redis-server a process group of its own and makes the
// kernel kill it when the cell that started it dies, even by SIGKILL.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
