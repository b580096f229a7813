// Package pages is the third Python text's count_words: download a EuroPython conference page
// and count its words. The lessons that run it at several levels of concurrency (machines,
// processes, goroutines, an event loop) share it from here, with the text's four years and the
// counts it printed.
//
// The pages come from the offline internet (package offline): a client of its server reaches
// http://ep2016.europython.eu and the others by name. A page answers after a delay (?sleep=),
// Wait units by default, standing for a slow conference site, so that every level's timing can
// be read off its chart.
package pages

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

// Wait is how long, in time units, a page takes to answer in CountWords.
const Wait = 1.0

// wantWords are the counts the third text printed for its four conferences.
var wantWords = map[int]int{2016: 3794, 2017: 4123, 2018: 4334, 2019: 1953}

// Years returns the text's four conferences, in order: 2016 to 2019.
func Years() []int { return slices.Sorted(maps.Keys(wantWords)) }

// WantWords returns the word counts the text printed, by year. The map is a copy: change it
// freely.
func WantWords() map[int]int { return maps.Clone(wantWords) }

// CountWords downloads the EuroPython page of year, which answers after Wait units, and counts
// its words. It is the text's count_words, with a client (one of the offline server's, or
// offline.ClientTo in another process) and a context that cancels the download.
func CountWords(ctx context.Context, client *http.Client, year int) (int, error) {
	return CountPage(ctx, client, year, Wait)
}

// CountPage downloads year's page, which answers after units, and counts its words: the
// whitespace-separated fields of its body. A status other than 200 is an error naming the page.
func CountPage(ctx context.Context, client *http.Client, year int, units float64) (int, error) {
	url := fmt.Sprintf("http://ep%d.europython.eu/en/?sleep=%d", year, timing.Units(units).Milliseconds())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("ep%d: %s", year, resp.Status)
	}
	text, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	return len(strings.Fields(string(text))), nil
}

// Cost measures what a page costs beyond its wait, in units: the request and the counting,
// averaged over a few downloads of a page that does not wait. A model of a run adds it for
// every page a worker downloads in turn; at a small unit it is not small.
func Cost(ctx context.Context, client *http.Client) float64 {
	const tries = 5
	sw := timing.Start()
	for range tries {
		CountPage(ctx, client, 2016, 0)
	}
	return sw.Units() / tries
}
