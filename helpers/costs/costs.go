// Package costs measures what a worker costs in Go — a goroutine, an OS thread (a goroutine
// locked to its thread) and a process — to start, to hold while it waits, to switch to and to
// talk to, and what a crash takes down; and it builds lesson 16's comparison table from those
// measurements, beside the Python twin's (lessons/python/choosing.py).
//
// Lessons 14 and 15 write their goroutines, channels and locks in their cells, where they teach
// them; this package holds the same measurements for lesson 16, which makes them all again in one
// run, and the plumbing the cells need but do not teach: reading /proc, formatting, the best of
// three runs, a ping-pong with a child process over pipes, round trips to a worker process.
//
// Every measurement does the thing many times and returns the time per operation; wrap it in
// Best, because on a busy machine noise only ever adds time. A program that measures processes
// calls proc.Serve(costs.Children) first thing in main (in a notebook cell, first thing in the
// cell), so that the children and worker processes it starts, which are the same program started
// again, can do their part.
package costs

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Best runs measure three times and returns the smallest result.
func Best(measure func() time.Duration) time.Duration {
	b := measure()
	for range 2 {
		b = min(b, measure())
	}
	return b
}

// Human formats a time per operation: ns below a microsecond, µs below a millisecond, else ms.
func Human(d time.Duration) string {
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.1f µs", float64(d.Nanoseconds())/1e3)
	default:
		return fmt.Sprintf("%.2f ms", float64(d.Nanoseconds())/1e6)
	}
}

// Nanos converts a duration to nanoseconds, for charts: on a logarithmic axis bars start from 1,
// and in nanoseconds every time measured here is above it.
func Nanos(d time.Duration) float64 { return float64(d.Nanoseconds()) }

// KiB formats an amount of memory given in KiB, as MiB from 1 MiB up.
func KiB(v float64) string {
	if v >= 1024 {
		return fmt.Sprintf("%.1f MiB", v/1024)
	}
	return fmt.Sprintf("%.1f KiB", v)
}

// Times says how many times base a figure is, as in " (×120)" or " (×2.5)".
func Times(v, base float64) string {
	if r := v / base; r < 10 {
		return fmt.Sprintf(" (×%.1f)", r)
	} else {
		return " (×" + Thousands(int(math.Round(r))) + ")"
	}
}

// Thousands writes n with commas between groups of three digits, as in "12,345".
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// FirstLine is the first line of an error's text, without the child's last output that package
// proc appends to the error of a child that failed.
func FirstLine(err error) string {
	if err == nil {
		return ""
	}
	line, _, _ := strings.Cut(err.Error(), "\n")
	line, _, _ = strings.Cut(line, "; its last output")
	return line
}
