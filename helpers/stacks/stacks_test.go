package stacks

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const dump = `goroutine 1 [running]:
main.main()
	/tmp/gonb_1/main.go:120 +0x47

goroutine 21 [sync.Mutex.Lock, 2 minutes]:
internal/sync.runtime_SemacquireMutex(0x35c8dde5fa58?, 0xf0?, 0x604455?)
	/usr/local/go/src/runtime/sema.go:95 +0x25
sync.(*Mutex).Lock(...)
	/usr/local/go/src/sync/mutex.go:46
main.cook({0x5f1e20, 0xc000012345}, 0xc00001a0c0)
	/tmp/gonb_1/main.go:70 +0x1d2
main.kitchen.func1()
	/tmp/gonb_1/main.go:88 +0x2a
created by main.kitchen in goroutine 1
	/tmp/gonb_1/main.go:87 +0x8c

not a goroutine at all

goroutine x [broken]:
main.nothing()
`

func TestParse(t *testing.T) {
	gs := Parse(dump)
	tests := []struct {
		id    int
		state string
		calls []string
		brief string
	}{
		{1, "running", []string{"main.main"}, "goroutine 1 [running] ← main.main"},
		{21, "sync.Mutex.Lock, 2 minutes",
			[]string{"internal/sync.runtime_SemacquireMutex", "sync.(*Mutex).Lock", "main.cook", "main.kitchen.func1"},
			"goroutine 21 [sync.Mutex.Lock, 2 minutes] ← main.cook ← main.kitchen.func1"},
	}
	if len(gs) != len(tests) {
		t.Fatalf("Parse found %d goroutines, want %d: %+v", len(gs), len(tests), gs)
	}
	for i, tt := range tests {
		g := gs[i]
		if g.ID != tt.id || g.State != tt.state || !slices.Equal(g.Calls, tt.calls) {
			t.Errorf("goroutine %d: got %d %q %q, want %d %q %q", i, g.ID, g.State, g.Calls, tt.id, tt.state, tt.calls)
		}
		if got := g.Brief("main."); got != tt.brief {
			t.Errorf("Brief = %q, want %q", got, tt.brief)
		}
	}
	for _, tt := range []struct {
		prefix string
		want   bool
	}{{"main.cook", true}, {"main.kitchen", true}, {"sync.(*Mutex)", true}, {"main.oven", false}, {"cook", false}} {
		if got := gs[1].In(tt.prefix); got != tt.want {
			t.Errorf("In(%q) = %v, want %v", tt.prefix, got, tt.want)
		}
	}
}

// blockedHere waits on ch; the live test finds goroutines by its name.
func blockedHere(ch chan int) { <-ch }

func TestInAndSettle(t *testing.T) {
	ch := make(chan int)
	const n = 3
	for range n {
		go blockedHere(ch)
	}
	const name = "github.com/concurrency-kitchen/course/helpers/stacks.blockedHere"
	if got := Settle(name, n, 5*time.Second); got != n {
		t.Fatalf("%d goroutines in blockedHere, want %d", got, n)
	}
	for _, g := range In(name) {
		if !strings.HasPrefix(g.State, "chan receive") {
			t.Errorf("goroutine %d is %q, want chan receive", g.ID, g.State)
		}
	}
	if first := All()[0]; first.State != "running" || !first.In("github.com/concurrency-kitchen/course/helpers/stacks.All") {
		t.Errorf("first goroutine %q, want the caller, running", first.Brief(""))
	}
	close(ch)
	if got := Settle(name, 0, 5*time.Second); got != 0 {
		t.Errorf("%d goroutines still in blockedHere after close, want 0", got)
	}
}
