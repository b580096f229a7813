//go:build !linux

package pytwin

import (
	"os"
	"syscall"
)

// sysProcAttr: outside Linux the twin keeps the default attributes.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// killGroup: outside Linux only the twin itself is killed, not the
// processes it started.
func killGroup(p *os.Process) error { return p.Kill() }
