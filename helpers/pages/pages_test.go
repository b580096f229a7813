package pages

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/offline"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// serve starts the offline internet at a 20 ms unit for t and returns one of its clients.
func serve(t *testing.T) *http.Client {
	t.Helper()
	t.Setenv(timing.UnitEnv, "20ms")
	server, err := offline.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	client := server.Client(5 * time.Second)
	t.Cleanup(client.CloseIdleConnections)
	return client
}

func TestCountPage(t *testing.T) {
	client := serve(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		year    int
		units   float64
		words   int
		atLeast time.Duration
		wantErr bool
	}{
		{"2016 at once", context.Background(), 2016, 0, 3794, 0, false},
		{"2017 after a unit", context.Background(), 2017, Wait, 4123, timing.Units(Wait), false},
		{"2018 after half a unit", context.Background(), 2018, 0.5, 4334, timing.Units(0.5), false},
		{"2019 at once", context.Background(), 2019, 0, 1953, 0, false},
		{"no such conference", context.Background(), 2015, 0, 0, 0, true},
		{"cancelled", cancelled, 2016, Wait, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			words, err := CountPage(tt.ctx, client, tt.year, tt.units)
			took := time.Since(start)
			if (err != nil) != tt.wantErr || words != tt.words || took < tt.atLeast {
				t.Errorf("CountPage(%d, %g units) = %d, %v after %v; want %d words (error: %v) after at least %v",
					tt.year, tt.units, words, err, took, tt.words, tt.wantErr, tt.atLeast)
			}
			if tt.ctx.Err() != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("a cancelled download returned %v, want context.Canceled", err)
			}
		})
	}
}

func TestCountWordsHasTheTextsCounts(t *testing.T) {
	client := serve(t)
	want := WantWords()
	if len(Years()) != 4 || len(want) != 4 {
		t.Fatalf("Years() = %v, WantWords() = %v: want the text's four conferences", Years(), want)
	}
	for _, year := range Years() {
		start := time.Now()
		words, err := CountWords(context.Background(), client, year)
		if err != nil || words != want[year] || time.Since(start) < timing.Units(Wait) {
			t.Errorf("CountWords(%d) = %d, %v after %v; want %d after a unit", year, words, err, time.Since(start), want[year])
		}
	}
	want[2016] = 0 // a copy: the package's counts stay
	if WantWords()[2016] != 3794 {
		t.Error("changing WantWords' result changed the package's counts")
	}
}

func TestCost(t *testing.T) {
	client := serve(t)
	// The race detector and a busy machine make a request slow: only bound it loosely.
	if c := Cost(context.Background(), client); c <= 0 || c > 5 {
		t.Errorf("Cost = %g units at a 20 ms unit; want a positive cost of a few units at most", c)
	}
}
