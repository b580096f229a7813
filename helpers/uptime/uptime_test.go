package uptime

import (
	"context"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/concurrency-kitchen/course/helpers/offline"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// TestCheckWebsite checks one site of every kind on the offline internet, at a 100 ms unit: the
// verdict, whether the owner was notified, and that no check outlasts the timeout by much.
// The tests of a verdict run at 100 ms, not 20: a site answers within half a unit, and at 20 ms
// the other half (10 ms) is less than a busy CI machine can hold a request up (CI saw a sixth
// site down at 20 ms).
func TestCheckWebsite(t *testing.T) {
	t.Setenv(timing.UnitEnv, "100ms")
	client, _, stop, err := Internet(false)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	tests := []struct {
		address string
		status  int
		down    bool
		verdict string // the verdict starts with it
	}{
		{"http://amazon.com", 200, false, "up"},
		{"http://live.com", 405, true, "down: it answered 405 Method Not Allowed"},
		{"http://really-cool-available-domain.com", 0, true, "down: no answer within 1.0 units"},
		{"http://" + offline.ServerError, 500, true, "down: it answered 500"},
		{"http://" + offline.Unavailable, 503, true, "down: it answered 503"},
		{"http://" + offline.Slowloris, 0, true, "down: no answer within"},
		{"http://" + offline.RedirectLoop, 0, true, "down: it redirects in a loop"},
		{"http://" + offline.EndlessBody, 200, false, "up"},
		{"http://" + offline.Reset, 0, true, "down: "},
		{"http://exa mple.com", 0, false, "bad address"},
		{"ftp://amazon.com", 0, false, "bad address"},
		{"amazon.com", 0, false, "bad address"},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			tl := timing.NewTimeline()
			sw := timing.Start()
			r := CheckWebsite(context.Background(), client, tt.address, tl, "lane")
			if r.Status != tt.status || r.Down != tt.down || !strings.HasPrefix(r.Verdict, tt.verdict) || !r.Checked() {
				t.Errorf("got status %d, down %v, verdict %q; want %d, %v, %q...", r.Status, r.Down, r.Verdict, tt.status, tt.down, tt.verdict)
			}
			if limit := timing.Units(TimeoutUnits+NotifyUnits) + time.Second; sw.Elapsed() > limit {
				t.Errorf("the check took %v, more than %v", sw.Elapsed(), limit)
			}
			want := 1
			if tt.down {
				want = 2 // the ping, then the notification
			}
			if n := len(tl.Spans()); n != want {
				t.Errorf("%d spans, want %d", n, want)
			}
		})
	}
}

// TestNotChecked: a check whose context has ended is "not checked", with the context's cause,
// and notifies nobody.
func TestNotChecked(t *testing.T) {
	t.Setenv(timing.UnitEnv, "100ms")
	client, _, stop, err := Internet(false)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("the round's deadline passed"))
	r := CheckWebsite(ctx, client, "http://live.com", timing.NewTimeline(), "lane")
	if r.Checked() || r.Down || r.Verdict != "not checked: the round's deadline passed" {
		t.Errorf("got %+v", r)
	}
}

// TestCheckPool checks the 33 sites with pools of several sizes: the results come in the
// order of the sites, five are down, the time is near the list schedule's, and nothing is left.
func TestCheckPool(t *testing.T) {
	t.Setenv(timing.UnitEnv, "100ms")
	before := runtime.NumGoroutine()
	client, _, stop, err := Internet(false)
	if err != nil {
		t.Fatal(err)
	}
	sites := Websites()
	for _, workers := range []int{4, 33} {
		sw := timing.Start()
		results := CheckPool(context.Background(), client, sites, workers, timing.NewTimeline())
		units, model := sw.Units(), ListSchedule(ExpectedAll(sites), workers)
		for i, r := range results {
			if r.Site != sites[i] {
				t.Fatalf("result %d is %s, want %s", i, r.Site, sites[i])
			}
		}
		if n := CountDown(results); n != 5 {
			t.Errorf("%d workers: %d down, want 5", workers, n)
		}
		if units < model*0.95 || units > model*1.5+0.5 {
			t.Errorf("%d workers: %.2f units, the model says %.2f", workers, units, model)
		}
	}
	if got := CheckPool(context.Background(), client, nil, 4, timing.NewTimeline()); len(got) != 0 {
		t.Errorf("no sites: %d results", len(got))
	}
	stop()
	leakcheck.Goroutines(t, before)
}

func TestListSchedule(t *testing.T) {
	tests := []struct {
		durations []float64
		workers   int
		want      float64
		ends      []float64
	}{
		{nil, 4, 0, []float64{}},
		{[]float64{1, 2, 3}, 1, 6, []float64{1, 3, 6}},
		{[]float64{1, 2, 3}, 3, 3, []float64{1, 2, 3}},
		{[]float64{3, 1, 1, 1}, 2, 3, []float64{3, 1, 2, 3}},
		{[]float64{1, 1, 3}, 2, 4, []float64{1, 1, 4}}, // the long task last: it starts late
		{[]float64{1, 2}, 0, 3, []float64{1, 3}},       // no worker counts as one
	}
	for _, tt := range tests {
		if got := ListSchedule(tt.durations, tt.workers); got != tt.want {
			t.Errorf("ListSchedule(%v, %d) = %v, want %v", tt.durations, tt.workers, got, tt.want)
		}
		if got := Ends(tt.durations, tt.workers); !slices.Equal(got, tt.ends) {
			t.Errorf("Ends(%v, %d) = %v, want %v", tt.durations, tt.workers, got, tt.ends)
		}
	}
}

func TestExpected(t *testing.T) {
	tests := []struct {
		address    string
		ping, full float64
	}{
		{"http://amazon.com", offline.Latency("amazon.com"), offline.Latency("amazon.com")},
		{"http://live.com", offline.Latency("live.com"), offline.Latency("live.com") + NotifyUnits},
		{"http://another-really-interesting-domain.co", TimeoutUnits, TimeoutUnits + NotifyUnits},
	}
	for _, tt := range tests {
		if got := ExpectedPing(tt.address); got != tt.ping {
			t.Errorf("ExpectedPing(%s) = %v, want %v", tt.address, got, tt.ping)
		}
		if got := Expected(tt.address); math.Abs(got-tt.full) > 1e-9 {
			t.Errorf("Expected(%s) = %v, want %v", tt.address, got, tt.full)
		}
	}
	if n := len(ExpectedAll(Websites())); n != 33 {
		t.Errorf("ExpectedAll of the 33 sites: %d figures", n)
	}
}

func TestHostOf(t *testing.T) {
	for in, want := range map[string]string{
		"http://amazon.com":      "amazon.com",
		"https://www.x.org:8080": "www.x.org",
		"amazon.com":             "amazon.com",
		"http://exa mple.com":    "http://exa mple.com",
	} {
		if got := HostOf(in); got != want {
			t.Errorf("HostOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShowResults(t *testing.T) {
	rec := &display.Recorder{}
	defer display.Use(rec)()
	ShowResults("Two <sites>", []Result{
		{Site: "http://a.com", Status: 200, Verdict: "up"},
		{Site: "http://b.com", Verdict: "down: no answer", Down: true},
	})
	items := rec.Of("text/html")
	if len(items) != 1 {
		t.Fatalf("%d HTML items, want 1", len(items))
	}
	body := items[0].Body
	for _, want := range []string{"Two &lt;sites&gt;", "<td>200</td>", "<td>–</td>", `style="color:#b00"`, "down: no answer"} {
		if !strings.Contains(body, want) {
			t.Errorf("the table lacks %q:\n%s", want, body)
		}
	}
}
