package uptime

import (
	"fmt"
	"html"
	"os"
	"strings"

	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// Table returns results as an HTML table under title: site, status, ping
// time in units, verdict; the sites that are down in red.
func Table(title string, results []Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<b>%s</b><table><tr><th>site</th><th>status</th><th>ping (units)</th><th>verdict</th></tr>", html.EscapeString(title))
	for _, r := range results {
		status := "–"
		if r.Status != 0 {
			status = fmt.Sprint(r.Status)
		}
		style := ""
		if r.Down {
			style = ` style="color:#b00"`
		}
		fmt.Fprintf(&b, "<tr%s><td>%s</td><td>%s</td><td>%.2f</td><td>%s</td></tr>", style,
			html.EscapeString(r.Site), status, timing.InUnits(r.Took), html.EscapeString(r.Verdict))
	}
	b.WriteString("</table>")
	return b.String()
}

// ShowResults displays results as a table (see Table): in the cell in a
// notebook, as an HTML file outside one.
func ShowResults(title string, results []Result) {
	fragment := Table(title, results)
	page := func() (string, error) {
		return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + html.EscapeString(title) +
			"</title></head><body>" + fragment + "</body></html>", nil
	}
	if _, err := display.Current().HTML(title, fragment, page); err != nil {
		fmt.Fprintln(os.Stderr, "could not show the table:", err)
	}
}

// CountDown returns how many results are down (their owner was notified).
func CountDown(results []Result) int {
	n := 0
	for _, r := range results {
		if r.Down {
			n++
		}
	}
	return n
}
