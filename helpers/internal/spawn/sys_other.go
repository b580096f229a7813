//go:build !linux

package spawn

import "syscall"

// sysProcAttr: outside Linux there is no parent-death signal; children are
// still killed when their context is done.
func sysProcAttr() *syscall.SysProcAttr { return nil }
