// Package load measures how much of the machine other programs took while a run was timed, so
// that a self-check of a parallel speed-up can tell "this code does not run in parallel" from
// "another program had the cores" (a build, a browser, the kernel's gopls, another learner).
//
// It reads Linux's /proc/stat (all cores' busy time) and /proc/self/stat (this process's CPU
// time, all its threads): what the cores did beyond this process is the others' share.
package load

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ErrUnavailable is returned where /proc cannot be read (outside Linux).
var ErrUnavailable = errors.New("load: the machine's CPU use is not available here (it needs Linux's /proc)")

// Busy is the share of the machine that other programs may take during a run before a
// self-check of its speed-up cannot judge it: 0.3 of one core, on average.
const Busy = 0.3

// counters are clock ticks: the machine's busy and total time over all cores, this process's CPU
// time, and the number of cores.
type counters struct {
	busy, total, self uint64
	cores             int
}

// Others runs f and returns how many cores, on average over its run, programs other than this
// process kept busy. Child processes count as others.
func Others(f func()) (float64, error) {
	before, err := read()
	if err != nil {
		f()
		return 0, err
	}
	f()
	after, err := read()
	if err != nil {
		return 0, err
	}
	return others(before, after), nil
}

// others computes the others' share between two readings: the cores' busy time minus this
// process's, over the wall time (the total over all cores, divided by their number).
func others(a, b counters) float64 {
	total := float64(b.total - a.total)
	if total <= 0 || b.cores == 0 {
		return 0
	}
	o := (float64(b.busy-a.busy) - float64(b.self-a.self)) / total * float64(b.cores)
	return max(o, 0)
}

func read() (counters, error) {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return counters{}, ErrUnavailable
	}
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return counters{}, ErrUnavailable
	}
	return parse(string(stat), string(self))
}

// parse reads the "cpu" line and counts the "cpuN" lines of /proc/stat, and the utime and stime
// fields of /proc/self/stat.
func parse(stat, self string) (counters, error) {
	var c counters
	for line := range strings.Lines(stat) {
		f := strings.Fields(line)
		switch {
		case len(f) > 8 && f[0] == "cpu":
			for i, v := range f[1:9] { // user nice system idle iowait irq softirq steal
				n, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					return c, fmt.Errorf("load: bad /proc/stat line %q", line)
				}
				c.total += n
				if i != 3 && i != 4 {
					c.busy += n
				}
			}
		case len(f) > 0 && strings.HasPrefix(f[0], "cpu"):
			c.cores++
		}
	}
	// The command name, in parentheses, may hold spaces: the fields start after its ')'.
	i := strings.LastIndexByte(self, ')')
	f := strings.Fields(self[i+1:])
	if i < 0 || len(f) < 13 || c.total == 0 || c.cores == 0 {
		return c, errors.New("load: unexpected /proc/stat or /proc/self/stat")
	}
	for _, v := range f[11:13] { // utime, stime (fields 14 and 15)
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return c, fmt.Errorf("load: bad /proc/self/stat: %q", v)
		}
		c.self += n
	}
	return c, nil
}
