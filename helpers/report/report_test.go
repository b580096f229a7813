package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// catchExit replaces exit until the test ends, and returns where the
// status it is called with lands: -1 while it is not called.
func catchExit(t *testing.T) *int {
	code := -1
	saved := exit
	exit = func(c int) { code = c }
	t.Cleanup(func() { exit = saved })
	return &code
}

func TestExpectation(t *testing.T) {
	tests := []struct {
		e     Expectation
		units float64
		holds bool
		text  string
	}{
		{Near(13, 0.3), 13.0, true, "13 ± 0.3"},
		{Near(13, 0.3), 13.3, true, "13 ± 0.3"},
		{Near(13, 0.3), 12.69, false, "13 ± 0.3"},
		{Near(5, 0.2), 5.25, false, "5 ± 0.2"},
		{Between(5, 5, 5.6), 5.4, true, "5 (5 to 5.6)"},
		{Between(5, 5, 5.6), 4.9, false, "5 (5 to 5.6)"},
		{NoModel, 99, true, "no model"},
		{NoModel.Plus(timing.Units(1)), 99, true, "no model"},
		{Between(4, 4, 4.3).Plus(timing.Units(0.5)), 4.8, true, "4.5 (4 to 4.8)"},
		{Between(4, 4, 4.3).Plus(timing.Units(0.5)), 4.81, false, "4.5 (4 to 4.8)"},
		{Near(4, 0.2).Plus(0), 4.21, false, "4 ± 0.2"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s holds %v", tt.text, tt.units), func(t *testing.T) {
			if got := tt.e.Holds(tt.units); got != tt.holds {
				t.Errorf("%v.Holds(%v) = %v, want %v", tt.e, tt.units, got, tt.holds)
			}
			if got := tt.e.String(); got != tt.text {
				t.Errorf("String() = %q, want %q", got, tt.text)
			}
		})
	}
}

func TestNewAndPublish(t *testing.T) {
	t.Setenv(timing.UnitEnv, "100ms")
	tl := timing.NewTimeline()
	tl.Add(timing.Span{Lane: "pasta", Task: "boil", Start: 0, End: 300 * time.Millisecond})

	rec := &display.Recorder{}
	defer display.Use(rec)()

	r := New("01-dinner", "dinner", "goroutines", 502*time.Millisecond, tl, Near(5, 0.2))
	if !r.OK || r.Units != 5.02 || r.Seconds != 0.502 || r.UnitSecs != 0.1 {
		t.Errorf("New() = %+v", r)
	}
	if err := r.Publish(); err != nil {
		t.Fatal(err)
	}
	items := rec.Of(MIME)
	if len(items) != 1 {
		t.Fatalf("published %d records", len(items))
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(items[0].Body), &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"lesson", "experiment", "variant", "seconds", "units", "expected_units", "ok", "timeline"} {
		if _, ok := got[key]; !ok {
			t.Errorf("record lacks %q: %s", key, items[0].Body)
		}
	}
	span := got["timeline"].([]any)[0].(map[string]any)
	if span["lane"] != "pasta" || span["end"] != 0.3 {
		t.Errorf("timeline entry %v", span)
	}

	free := New("00", "x", "y", time.Second, nil, NoModel)
	b, _ := json.Marshal(free)
	if strings.Contains(string(b), "expected_units") || !free.OK || !strings.Contains(string(b), `"timeline":[]`) {
		t.Errorf("a run with no model is recorded as %s", b)
	}
	if strings.Contains(string(b), `"trace"`) {
		t.Errorf("a run that was not traced is recorded with a trace: %s", b)
	}
	free.Trace = &Trace{GOMAXPROCS: 4, Goroutines: 3, Threads: 2, ProcsUsed: 2, Migrations: 1, Preemptions: 5}
	b, _ = json.Marshal(free)
	if want := `"trace":{"gomaxprocs":4,"goroutines":3,"threads":2,"procs_used":2,"migrations":1,"preemptions":5}`; !strings.Contains(string(b), want) {
		t.Errorf("a traced run is recorded as %s, want %s in it", b, want)
	}
}

func TestCheckStrict(t *testing.T) {
	code := catchExit(t)
	tests := []struct {
		strict string
		ok     bool
		code   int
	}{
		{"", false, -1},
		{"0", false, -1},
		{"1", false, 1},
		{"true", false, 1},
		{"1", true, -1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("strict=%q ok=%v", tt.strict, tt.ok), func(t *testing.T) {
			*code = -1
			t.Setenv(StrictEnv, tt.strict)
			if got := Check("x", tt.ok, "hint"); got != tt.ok {
				t.Errorf("Check returned %v", got)
			}
			if *code != tt.code {
				t.Errorf("exit code %d, want %d", *code, tt.code)
			}
		})
	}
}

func TestFinishPublishesBeforeFailing(t *testing.T) {
	t.Setenv(timing.UnitEnv, "100ms")
	t.Setenv(StrictEnv, "1")
	code := catchExit(t)
	rec := &display.Recorder{}
	defer display.Use(rec)()

	r := Finish("01", "dinner", "slow", 2*time.Second, nil, Near(5, 0.2))
	if r.OK || *code != 1 || len(rec.Of(MIME)) != 1 {
		t.Errorf("ok=%v exit code=%d records=%d", r.OK, *code, len(rec.Of(MIME)))
	}
}

func TestExercise(t *testing.T) {
	code := catchExit(t)
	t.Setenv(StrictEnv, "1")
	tests := []struct {
		err  error
		ok   bool
		want bool
		code int
	}{
		{ErrTodo, false, false, -1},
		{fmt.Errorf("wrapped: %w", ErrTodo), false, false, -1},
		{errors.New("boom"), true, false, 1},
		{nil, true, true, -1},
		{nil, false, false, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v ok=%v", tt.err, tt.ok), func(t *testing.T) {
			*code = -1
			if got := Exercise("ex", tt.err, tt.ok, "hint"); got != tt.want || *code != tt.code {
				t.Errorf("Exercise(%v, %v) = %v with exit %d, want %v with %d", tt.err, tt.ok, got, *code, tt.want, tt.code)
			}
		})
	}
}
