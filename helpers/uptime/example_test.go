package uptime_test

import (
	"context"
	"fmt"
	"os"

	"github.com/concurrency-kitchen/course/helpers/timing"
	"github.com/concurrency-kitchen/course/helpers/uptime"
)

// Four sites checked by a pool of two goroutines on the offline internet: the results come in
// the order of the sites, whichever ends first.
func ExampleCheckPool() {
	os.Setenv(timing.UnitEnv, "100ms")
	defer os.Unsetenv(timing.UnitEnv)
	client, _, stop, err := uptime.Internet(false)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	sites := []string{"http://amazon.com", "http://bing.com", "http://really-cool-available-domain.com", "ftp://amazon.com"}
	for _, r := range uptime.CheckPool(context.Background(), client, sites, 2, timing.NewTimeline()) {
		fmt.Printf("%s: %s\n", uptime.HostOf(r.Site), r.Verdict)
	}
	// Output:
	// amazon.com: up
	// bing.com: down: it answered 405 Method Not Allowed
	// really-cool-available-domain.com: down: no answer within 1.0 units
	// amazon.com: bad address "ftp://amazon.com": want http:// or https:// and a host name
}

// The model of a pool of two on three checks: the third goes to the worker free first.
func ExampleListSchedule() {
	checks := []float64{1.5, 0.5, 0.5}
	fmt.Println(uptime.Ends(checks, 2), uptime.ListSchedule(checks, 2))
	// Output: [1.5 0.5 1] 1.5
}
