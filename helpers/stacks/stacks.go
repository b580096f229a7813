// Package stacks finds goroutines by what they are doing, from the dump of every goroutine's
// stack that runtime.Stack writes (the same text a Go program prints when it panics, or on
// SIGQUIT): the lessons use it to show a deadlock's stuck goroutines and to count a leak.
//
// A dump lists each goroutine as a header with its number and state, then its calls,
// innermost first, each followed by its file and line:
//
//	goroutine 21 [sync.Mutex.Lock]:
//	sync.(*Mutex).Lock(...)
//		/usr/local/go/src/sync/mutex.go:46
//	main.cook(...)
//		/tmp/gonb_1234/main.go:70 +0x1d2
//	created by main.kitchen in goroutine 1
//		/tmp/gonb_1234/main.go:95 +0x8c
package stacks

import (
	"runtime"
	"strconv"
	"strings"
	"time"
)

// A Goroutine is one goroutine of a dump.
type Goroutine struct {
	ID    int      // its number, as in "goroutine 21"
	State string   // what it does, as in "sync.Mutex.Lock", "chan send, 2 minutes" or "running"
	Calls []string // the functions on its stack, innermost first, as in "main.cook"
	Text  string   // its whole entry in the dump
}

// Brief returns the goroutine in one line: its number and state, then the calls of functions
// whose names start with prefix, innermost first, as in "goroutine 21 [sync.Mutex.Lock] ←
// main.cook ← main.kitchen.func1" for the prefix "main.".
func (g Goroutine) Brief(prefix string) string {
	var b strings.Builder
	b.WriteString("goroutine " + strconv.Itoa(g.ID) + " [" + g.State + "]")
	for _, c := range g.Calls {
		if strings.HasPrefix(c, prefix) {
			b.WriteString(" ← " + c)
		}
	}
	return b.String()
}

// In reports whether a function whose name starts with prefix is on the goroutine's stack.
func (g Goroutine) In(prefix string) bool {
	for _, c := range g.Calls {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

// All returns every goroutine of this program, from runtime.Stack. The calling goroutine is
// the first, in state "running".
func All() []Goroutine {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return Parse(string(buf[:n]))
		}
		buf = make([]byte, 2*len(buf))
	}
}

// In returns the goroutines of this program that have a function whose name starts with
// prefix on their stack, such as "main.cook" (a closure of cook is "main.cook.func1").
func In(prefix string) []Goroutine {
	var found []Goroutine
	for _, g := range All() {
		if g.In(prefix) {
			found = append(found, g)
		}
	}
	return found
}

// Settle waits until exactly want goroutines are In(prefix), looking every millisecond for
// within at most, and returns how many are at the end: for a count that is still moving, such
// as goroutines on their way to block (a goroutine that has not started yet is not in its
// function) or on their way out.
func Settle(prefix string, want int, within time.Duration) int {
	deadline := time.Now().Add(within)
	for {
		n := len(In(prefix))
		if n == want || !time.Now().Before(deadline) {
			return n
		}
		time.Sleep(time.Millisecond)
	}
}

// Parse reads a dump in runtime.Stack's format. Entries that are not goroutines are skipped.
func Parse(dump string) []Goroutine {
	var gs []Goroutine
	for _, entry := range strings.Split(strings.TrimSpace(dump), "\n\n") {
		lines := strings.Split(entry, "\n")
		rest, ok := strings.CutPrefix(lines[0], "goroutine ")
		if !ok {
			continue
		}
		idText, state, ok := strings.Cut(rest, " [")
		id, err := strconv.Atoi(idText)
		if !ok || err != nil {
			continue
		}
		g := Goroutine{ID: id, State: strings.TrimSuffix(state, "]:"), Text: entry}
		for _, l := range lines[1:] {
			if l == "" || l[0] == '\t' || strings.HasPrefix(l, "created by ") || strings.HasPrefix(l, "...") {
				continue
			}
			name := l
			if i := strings.LastIndex(l, "("); i > 0 {
				name = l[:i]
			}
			g.Calls = append(g.Calls, name)
		}
		gs = append(gs, g)
	}
	return gs
}
