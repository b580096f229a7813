// Package chart draws the course's measurements with go-echarts: a Gantt
// chart of a timeline, grouped bars comparing variants, and a line chart.
//
// In a GoNB cell a chart appears inline in the cell's output; elsewhere it
// is written as a stand-alone HTML page (see package display). Charts
// draw with no network: the ECharts library is a file the course's set-up
// installs, which Setup loads into the notebook page once, from the
// lesson's setup cell. Every chart waits for it and says so in place of
// the chart when it is missing.
//
// A chart shown in a notebook also carries a picture of itself, which
// ECharts' own server-side renderer draws from the same option, and which
// the live chart replaces where scripts run: where they do not (an
// untrusted notebook, a viewer, a page with scripts off) the picture is
// what the reader sees.
package chart

import (
	"fmt"
	"os"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/library"
	"github.com/concurrency-kitchen/course/helpers/chart/internal/page"
	"github.com/concurrency-kitchen/course/helpers/chart/internal/picture"
	"github.com/concurrency-kitchen/course/helpers/display"
)

// A Chart is a drawing ready to show. Build one with Gantt, Bars or Line.
type Chart struct {
	title  string
	height int    // pixels
	option string // the ECharts option, as a JavaScript object literal
}

// Title returns the chart's title.
func (c *Chart) Title() string { return c.title }

// Option returns the ECharts option of the chart as a JavaScript object
// literal: JSON, except that callbacks such as the tooltip formatter are
// functions.
func (c *Chart) Option() string { return c.option }

// Fragment returns the HTML that draws the chart: a div and a script that
// waits for the ECharts library (loaded by Setup) and draws into the div.
func (c *Chart) Fragment() string { return page.Fragment(c.title, c.height, c.option, "") }

// Page returns a stand-alone HTML document with the library inlined, which
// draws the chart in any browser with no network.
func (c *Chart) Page() (string, error) {
	lib, err := library.Load()
	if err != nil {
		return "", err
	}
	return page.Document(c.title, page.Inline(lib), c.Fragment()), nil
}

// Show displays the chart through the current display sink: inline in a
// notebook, or as a page in a file (whose path it prints) outside one.
// When the chart cannot be shown, Show says so on standard error, so that
// a cell that ignores the error still shows the failure, and returns it.
func (c *Chart) Show() error {
	pic := ""
	if display.InNotebook() {
		pic = c.picture(picture.ForKernel(libraryFile))
	}
	where, err := display.Current().HTML(c.title, page.Fragment(c.title, c.height, c.option, pic), c.Page)
	if err != nil {
		err = fmt.Errorf("chart %q: %w", c.title, err)
		fmt.Fprintln(os.Stderr, "✗ showing a chart failed:", err)
		return err
	}
	if where != "notebook" && where != "memory" {
		fmt.Printf("chart %q written to %s\n", c.title, where)
	}
	return nil
}

// PicturesEnv names a variable that turns the pictures off when set to 0:
// the charts then draw only where scripts run.
const PicturesEnv = "COURSE_CHART_PICTURES"

// picture returns the chart's picture, drawn by the kernel's renderer r, as
// a data: URL, or "" when none can be drawn (pictures off, no Node.js, no
// library): the chart then draws where scripts run, as before.
func (c *Chart) picture(r *picture.Renderer) string {
	if os.Getenv(PicturesEnv) == "0" {
		return ""
	}
	svg, err := r.Render(c.option, picture.Width, c.height)
	if err != nil {
		return ""
	}
	return picture.URL(svg)
}

// libraryFile returns the path of the ECharts library, or "" when there
// is none.
func libraryFile() string {
	p, err := LibraryPath()
	if err != nil {
		return ""
	}
	return p
}
