//go:build !linux

package proc

import "syscall"

// sysProcAttr: outside Linux there is no parent-death signal; children are
// still killed when the context given to Start is done.
func sysProcAttr() *syscall.SysProcAttr { return nil }
