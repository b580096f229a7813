package costs

import (
	"debug/elf"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
)

// Number reads a number from a /proc file made of "Key: value" lines: /proc/self/status's
// "VmRSS" (KiB) or "Threads", /proc/meminfo's "KernelStack" (KiB), /proc/PID/smaps_rollup's
// "Private_Dirty" (KiB). It returns -1 when the file or the key is missing.
func Number(path, key string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == key {
			if f := strings.Fields(v); len(f) > 0 {
				if n, err := strconv.Atoi(f[0]); err == nil {
					return n
				}
			}
		}
	}
	return -1
}

// Text returns a file's text without the spaces around it, or "?" when it cannot be read: a
// kernel limit such as /proc/sys/kernel/threads-max.
func Text(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

// Threads is how many OS threads this process has now (/proc/self/status), or -1.
func Threads() int { return Number("/proc/self/status", "Threads") }

// RSS is this process's resident memory now, in KiB (/proc/self/status's VmRSS), or -1.
func RSS() int { return Number("/proc/self/status", "VmRSS") }

// CgoLinked reports how this program was built: its CGO_ENABLED setting, and whether runtime/cgo
// is linked in (its symbols are in the executable), in which case the runtime starts its threads
// with the C library's pthread_create.
func CgoLinked() (setting string, linked bool) {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "CGO_ENABLED" {
				setting = s.Value
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if f, err := elf.Open(exe); err == nil {
			defer f.Close()
			syms, _ := f.Symbols()
			linked = slices.ContainsFunc(syms, func(s elf.Symbol) bool { return strings.HasPrefix(s.Name, "runtime/cgo.") })
		}
	}
	return setting, linked
}
