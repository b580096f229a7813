package timing

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestParseUnit(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"", DefaultUnit, ""},
		{"  ", DefaultUnit, ""},
		{"1s", time.Second, ""},
		{"50ms", 50 * time.Millisecond, ""},
		{" 100ms ", 100 * time.Millisecond, ""},
		{"10s", 10 * time.Second, ""},
		{"fast", 0, "not a Go duration"},
		{"100", 0, "not a Go duration"},
		{"-1s", 0, "out of range"},
		{"1ms", 0, "out of range"},
		{"1m", 0, "out of range"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			got, err := ParseUnit(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), UnitEnv) {
					t.Errorf("ParseUnit(%q) error = %v, want one naming %s and saying %q", tt.in, err, UnitEnv, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseUnit(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestUnitsFollowEnv(t *testing.T) {
	t.Setenv(UnitEnv, "20ms")
	if got := Units(2.5); got != 50*time.Millisecond {
		t.Errorf("Units(2.5) = %v, want 50ms", got)
	}
	if got := InUnits(100 * time.Millisecond); got != 5 {
		t.Errorf("InUnits(100ms) = %v, want 5", got)
	}
}

func TestUnitPanicsOnBadEnv(t *testing.T) {
	t.Setenv(UnitEnv, "soon")
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || !strings.Contains(err.Error(), UnitEnv) {
			t.Fatalf("Unit() with a bad env recovered %v, want an error naming %s", r, UnitEnv)
		}
	}()
	Unit()
}

func TestStopwatch(t *testing.T) {
	sw := Start()
	time.Sleep(20 * time.Millisecond)
	// A generous band: a busy machine may oversleep, never undersleep.
	if got := sw.Elapsed(); got < 20*time.Millisecond || got > 2*time.Second {
		t.Errorf("Elapsed() = %v after a 20ms sleep", got)
	}
	var zero Stopwatch
	if zero.Elapsed() < time.Hour {
		t.Errorf("a zero Stopwatch should report time since the zero instant")
	}
}

func TestTimelineConcurrentAdds(t *testing.T) {
	tl := NewTimeline()
	const goroutines, each = 8, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				tl.Add(Span{Lane: string(rune('a' + g)), Task: "t", Start: time.Duration(i), End: time.Duration(i + 1)})
			}
		})
	}
	wg.Wait()
	spans := tl.Spans()
	if len(spans) != goroutines*each {
		t.Fatalf("got %d spans, want %d", len(spans), goroutines*each)
	}
	for i := 1; i < len(spans); i++ {
		a, b := spans[i-1], spans[i]
		if a.Start > b.Start || (a.Start == b.Start && a.Lane > b.Lane) {
			t.Fatalf("spans not ordered at %d: %+v then %+v", i, a, b)
		}
	}
	if got := len(tl.Lanes()); got != goroutines {
		t.Errorf("Lanes() has %d lanes, want %d", got, goroutines)
	}
	if got := tl.Makespan(); got != each {
		t.Errorf("Makespan() = %v, want %v", got, time.Duration(each))
	}
}

func TestTimelineAddAndTrack(t *testing.T) {
	tests := []struct {
		name string
		in   Span
		want time.Duration // duration recorded
	}{
		{"normal", Span{"a", "x", 10, 30}, 20},
		{"end before start is clamped", Span{"a", "x", 30, 10}, 0},
		{"empty", Span{"a", "x", 5, 5}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := NewTimeline()
			tl.Add(tt.in)
			if got := tl.Spans()[0].Duration(); got != tt.want {
				t.Errorf("duration %v, want %v", got, tt.want)
			}
		})
	}

	tl := NewTimeline()
	end := tl.Track("chef", "chop")
	time.Sleep(10 * time.Millisecond)
	end()
	s := tl.Spans()[0]
	if s.Lane != "chef" || s.Task != "chop" || s.Duration() < 10*time.Millisecond {
		t.Errorf("Track recorded %+v", s)
	}
	// A new run starts on a new timeline, empty, with its own clock.
	if fresh := NewTimeline(); len(fresh.Spans()) != 0 || !fresh.Origin().After(tl.Origin()) {
		t.Errorf("a new timeline has %d spans and origin %v, the old one %v", len(fresh.Spans()), fresh.Origin(), tl.Origin())
	}
}

func TestChildReportsIntoParent(t *testing.T) {
	parent := NewTimeline()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	// Play the child in this process: FromParent reads the same variables
	// that a child would find in its environment. The child's file gets a
	// descriptor of its own, as in a real child: two *os.File on one
	// descriptor would close it twice, the second time (from a finalizer)
	// closing whatever reused the number, such as an example's captured
	// standard output.
	fd, err := syscall.Dup(int(w.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range parent.ChildEnv(fd) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	child, ok := FromParent()
	if !ok {
		t.Fatal("FromParent did not see the parent's environment")
	}
	time.Sleep(5 * time.Millisecond)
	child.Add(Span{Lane: "pasta", Task: "boil", Start: child.Now(), End: child.Now() + time.Millisecond})
	if err := child.Err(); err != nil {
		t.Fatal(err)
	}
	child.sink.(*os.File).Close() // as the child's exit would
	w.Close()

	if err := parent.Collect(r); err != nil {
		t.Fatal(err)
	}
	spans := parent.Spans()
	if len(spans) != 1 || spans[0].Task != "boil" {
		t.Fatalf("parent got %+v", spans)
	}
	// Both clocks share the origin, so the child's start is after the 5ms
	// sleep and well before a second.
	if s := spans[0].Start; s < 5*time.Millisecond || s > time.Second {
		t.Errorf("child span starts at %v on the parent's clock", s)
	}
}

func TestFromParentWithoutParent(t *testing.T) {
	tests := []struct{ origin, fd string }{
		{"", ""},
		{"123", ""},
		{"abc", "3"},
		{"123", "1"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("origin=%q fd=%q", tt.origin, tt.fd), func(t *testing.T) {
			t.Setenv(OriginEnv, tt.origin)
			t.Setenv(FDEnv, tt.fd)
			if _, ok := FromParent(); ok {
				t.Errorf("FromParent() ok with origin=%q fd=%q", tt.origin, tt.fd)
			}
		})
	}
}

func TestCollectRejectsGarbage(t *testing.T) {
	tl := NewTimeline()
	in := `{"lane":"a","task":"x","start":1,"end":2}` + "\nnot json\n"
	err := tl.Collect(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "bad span") {
		t.Fatalf("Collect error = %v, want a bad span error", err)
	}
	if len(tl.Spans()) != 1 {
		t.Errorf("the good span before the bad line was lost")
	}
	if err := tl.Collect(io.MultiReader()); err != nil {
		t.Errorf("Collect of nothing: %v", err)
	}
}

func BenchmarkAdd(b *testing.B) {
	tl := NewTimeline()
	s := Span{Lane: "lane", Task: "task", Start: 1, End: 2}
	for b.Loop() {
		tl.Add(s)
	}
}

func BenchmarkTrack(b *testing.B) {
	tl := NewTimeline()
	for b.Loop() {
		tl.Track("lane", "task")()
	}
}

// TestUnfinished: spans begun by Track and never ended are returned ending now, in order, and
// leave the list once their end is called; a goroutine stuck for good stays in it.
func TestUnfinished(t *testing.T) {
	tl := NewTimeline()
	if got := tl.Unfinished(); len(got) != 0 {
		t.Fatalf("a new timeline has %d unfinished spans", len(got))
	}
	endPrep := tl.Track("cook A", "prepares")
	stuck, started, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		end := tl.Track("cook B", "waits for the oven")
		close(started)
		<-stuck
		end()
	}()
	<-started
	tests := []struct {
		name  string
		act   func()
		lanes []string // of Unfinished, in order
		spans int      // recorded by then
	}{
		{"both open", func() {}, []string{"cook A", "cook B"}, 0},
		{"A ended", endPrep, []string{"cook B"}, 1},
		{"B let go", func() { close(stuck); <-done }, nil, 2},
	}
	for _, tt := range tests {
		tt.act()
		got := tl.Unfinished()
		var lanes []string
		for _, s := range got {
			lanes = append(lanes, s.Lane)
			if s.End < s.Start || s.End > tl.Now() {
				t.Errorf("%s: unfinished span %+v does not end now", tt.name, s)
			}
		}
		if !slices.Equal(lanes, tt.lanes) || len(tl.Spans()) != tt.spans {
			t.Errorf("%s: unfinished lanes %q and %d spans, want %q and %d", tt.name, lanes, len(tl.Spans()), tt.lanes, tt.spans)
		}
	}
}

func TestOrderLanes(t *testing.T) {
	tests := []struct {
		name      string
		lanes     []string // in the order they first appeared
		want      []string
		unchanged bool // want is lanes
	}{
		{name: "a pool by number", lanes: []string{"worker 4", "worker 3", "worker 1", "worker 2"},
			want: []string{"worker 1", "worker 2", "worker 3", "worker 4"}},
		{name: "numbers as numbers", lanes: []string{"worker 10", "worker 9", "worker 1", "worker 02"},
			want: []string{"worker 1", "worker 02", "worker 9", "worker 10"}},
		{name: "main stays first", lanes: []string{"main", "worker 2", "worker 1"},
			want: []string{"main", "worker 1", "worker 2"}},
		{name: "a kind comes together where it first appeared", lanes: []string{"worker 2", "main", "worker 1", "cook"},
			want: []string{"worker 1", "worker 2", "main", "cook"}},
		{name: "scheduler slots", lanes: []string{"P1", "P0"}, want: []string{"P0", "P1"}},
		{name: "names without numbers keep their order", lanes: []string{"pasta", "meatballs", "salad"}, unchanged: true},
		{name: "main then cook", lanes: []string{"main", "cook"}, unchanged: true},
		{name: "one lane of each kind keeps its place",
			lanes:     []string{"loop, preemption on", "sleeper, preemption on", "loop, asyncpreemptoff=1", "sleeper, asyncpreemptoff=1"},
			unchanged: true},
		{name: "two kinds", lanes: []string{"cook 2", "waiter 2", "cook 1", "waiter 1"},
			want: []string{"cook 1", "cook 2", "waiter 1", "waiter 2"}},
		{name: "several numbers, from the left", lanes: []string{"machine 2 job 1", "machine 1 job 10", "machine 1 job 9"},
			want: []string{"machine 1 job 9", "machine 1 job 10", "machine 2 job 1"}},
		{name: "numbers longer than an int", lanes: []string{"run 100000000000000000000", "run 99999999999999999999"},
			want: []string{"run 99999999999999999999", "run 100000000000000000000"}},
		{name: "none", lanes: nil, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unchanged {
				tt.want = tt.lanes
			}
			in := slices.Clone(tt.lanes)
			if got := OrderLanes(in); !slices.Equal(got, tt.want) {
				t.Errorf("OrderLanes(%q) = %q, want %q", tt.lanes, got, tt.want)
			}
			if !slices.Equal(in, tt.lanes) {
				t.Errorf("OrderLanes changed its argument to %q", in)
			}
		})
	}
}

func TestLanesOfIsNatural(t *testing.T) {
	tl := NewTimeline()
	for i, lane := range []string{"main", "worker 4", "worker 3", "worker 1", "worker 2", "worker 3"} {
		tl.Add(Span{Lane: lane, Task: "t", Start: time.Duration(i), End: time.Duration(i + 1)})
	}
	want := []string{"main", "worker 1", "worker 2", "worker 3", "worker 4"}
	if got := tl.Lanes(); !slices.Equal(got, want) {
		t.Errorf("Lanes() = %q, want %q", got, want)
	}
	if got := LanesOf(tl.Spans()); !slices.Equal(got, want) {
		t.Errorf("LanesOf = %q, want %q", got, want)
	}
}
