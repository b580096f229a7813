//go:build !linux

package redisd

import "syscall"

// sysProcAttr: outside Linux there is no parent-death signal; redis-server
// still gets a process group of its own and is killed when the context
// given to Start is done.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
