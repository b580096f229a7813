package uptime

import (
	"context"
	"net/http"
	"slices"

	"github.com/concurrency-kitchen/course/helpers/offline"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// Expected is the model of one check of address on the offline internet,
// in units: the site's latency; plus NotifyUnits for a site that refuses
// HEAD; the whole timeout plus NotifyUnits for a site that never answers.
func Expected(address string) float64 {
	host := HostOf(address)
	switch {
	case slices.Contains(offline.Silent(), host):
		return TimeoutUnits + NotifyUnits
	case slices.Contains(offline.Refusing(), host):
		return offline.Latency(host) + NotifyUnits
	default:
		return offline.Latency(host)
	}
}

// ExpectedPing is the model of the ping alone, in units: the site's
// latency, or the whole timeout for a site that never answers.
func ExpectedPing(address string) float64 {
	host := HostOf(address)
	if slices.Contains(offline.Silent(), host) {
		return TimeoutUnits
	}
	return offline.Latency(host)
}

// ExpectedAll returns the model of every check of sites, in their order.
func ExpectedAll(sites []string) []float64 {
	d := make([]float64, 0, len(sites))
	for _, s := range sites {
		d = append(d, Expected(s))
	}
	return d
}

// ListSchedule is the model of a pool: the tasks, in order, each go to the
// worker that is free first. It returns when the last one ends.
func ListSchedule(durations []float64, workers int) float64 {
	return slices.Max(append(Ends(durations, workers), 0))
}

// Ends is ListSchedule task by task: when each task ends, in the order of
// durations.
func Ends(durations []float64, workers int) []float64 {
	free := make([]float64, max(workers, 1))
	ends := make([]float64, len(durations))
	for i, d := range durations {
		w := slices.Index(free, slices.Min(free))
		free[w] += d
		ends[i] = free[w]
	}
	return ends
}

// RequestCost measures, in units, what one check costs on this machine
// beyond the site's latency: the client, the loopback and the timers. It
// checks a fast site a few times.
func RequestCost(ctx context.Context, client *http.Client) float64 {
	const site, tries = "http://facebook.com", 8
	total := 0.0
	for range tries {
		sw := timing.Start()
		Ping(ctx, client, site)
		total += sw.Units() - offline.Latency(HostOf(site))
	}
	return max(total/tries, 0)
}
