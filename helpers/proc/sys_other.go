//go:build !linux

package proc

import (
	"os"
	"syscall"
)

// sysProcAttr: outside Linux there is no parent-death signal; children are
// still killed when the context given to Start is done.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// growPipe does nothing outside Linux.
func growPipe(*os.File) {}
