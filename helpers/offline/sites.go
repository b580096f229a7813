package offline

import (
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"time"
)

// Sites returns the websites of the second Python text's uptime checker,
// in its order: 31 real names and two invented domains. The slice is the
// caller's own.
func Sites() []string { return slices.Clone(sites) }

var sites = []string{
	"envato.com", "amazon.co.uk", "amazon.com", "facebook.com", "google.com", "google.fr",
	"google.es", "google.co.uk", "internet.org", "gmail.com", "stackoverflow.com", "github.com",
	"heroku.com", "really-cool-available-domain.com", "djangoproject.com", "rubyonrails.org",
	"basecamp.com", "trello.com", "yiiframework.com", "shopify.com",
	"another-really-interesting-domain.co", "airbnb.com", "instagram.com", "snapchat.com",
	"youtube.com", "baidu.com", "yahoo.com", "live.com", "linkedin.com", "yandex.ru",
	"netflix.com", "wordpress.com", "bing.com",
}

// Refusing returns the sites that answer a HEAD request with 405 Method
// Not Allowed, as they did for the Python text.
func Refusing() []string { return slices.Clone(refusing) }

var refusing = []string{"live.com", "netflix.com", "bing.com"}

// Silent returns the invented domains: the offline internet never answers
// them, so a client waits until its timeout.
func Silent() []string { return slices.Clone(silent) }

var silent = []string{"really-cool-available-domain.com", "another-really-interesting-domain.co"}

// Bad-input sites, each failing in its own way.
const (
	ServerError  = "error500.test"  // answers 500 Internal Server Error
	Unavailable  = "busy503.test"   // answers 503 with Retry-After: 1
	Slowloris    = "slowloris.test" // sends its status line one byte at a time, slowly
	RedirectLoop = "loop.test"      // redirects to itself forever
	EndlessBody  = "endless.test"   // answers 200 and a body that never ends
	Reset        = "reset.test"     // resets the connection
)

// Flaky is a site that fails twice, then answers: of every three requests
// it receives, the first two get 503 Service Unavailable (with Retry-After)
// and the third gets 200. A checker that retries sees it come up.
const Flaky = "flaky.test"

// BadSites returns the bad-input sites.
func BadSites() []string { return slices.Clone(badSites) }

var badSites = []string{ServerError, Unavailable, Slowloris, RedirectLoop, EndlessBody, Reset}

// EuroPython pages with known word counts (the third Python text's
// count_words output), by year: http://ep2016.europython.eu/en/ and so
// on. The map is the caller's own.
func EuroPythonWords() map[int]int { return maps.Clone(europythonWords) }

var europythonWords = map[int]int{2016: 3794, 2017: 4123, 2018: 4334, 2019: 1953}

// Latency returns a site's fixed latency in time units: from 0.05 to 0.5,
// derived from its name, so the same site always takes the same time.
func Latency(host string) float64 {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(host)))
	return 0.05 + float64(h.Sum32()%46)/100
}

// trickle is the pause between two bytes of the slowloris site.
const trickle = 200 * time.Millisecond
