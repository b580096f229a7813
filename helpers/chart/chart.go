// Package chart draws the course's measurements with go-echarts: a Gantt
// chart of a timeline, grouped bars comparing variants, and a line chart.
//
// In a GoNB cell a chart appears inline in the cell's output; elsewhere it
// is written as a stand-alone HTML page (see package display). Charts
// draw with no network: the ECharts library is a file the course's set-up
// installs, which Setup loads into the notebook page once, from the
// lesson's setup cell. Every chart waits for it and says so in place of
// the chart when it is missing.
package chart

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"os"
	"regexp"
	"strings"

	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/go-echarts/go-echarts/v2/charts"
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

// optionOf turns a go-echarts chart into an option literal. go-echarts
// marks JavaScript functions with __f__ quotes; like its own renderer, we
// drop the quotes so that the functions are code. A data item that holds
// only a value array is written as the array, which ECharts reads the same
// way: a long Gantt chart has thousands of them in a saved notebook.
func optionOf(r interface{ Validate() }, json func() string) string {
	r.Validate()
	return valueOnly.ReplaceAllString(funcQuotes.ReplaceAllString(json(), ""), "$1")
}

var (
	funcQuotes = regexp.MustCompile(`(__f__")|("__f__)|(__f__)`)
	valueOnly  = regexp.MustCompile(`\{"value":(\[[^\[\]{}]*\])\}`)
)

// scriptEnd matches what would end a <script> element early.
var scriptEnd = regexp.MustCompile(`(?i)</(script)`)

// escapeScript makes text safe inside a <script> element: "</script" in a
// JavaScript string or regular expression is the same as "<\/script".
func escapeScript(s string) string {
	return scriptEnd.ReplaceAllString(s, `<\/$1`)
}

// newID returns a fresh element id: ECharts and the page need each chart's
// id to be unique even when a cell runs again.
func newID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return "ck_" + hex.EncodeToString(b[:])
}

// Fragment returns the HTML that draws the chart: a div and a script that
// waits for the ECharts library (loaded by Setup) and draws into the div.
func (c *Chart) Fragment() string { return c.fragment("") }

// fragment is Fragment with a picture of the chart (a data: URL, or "" for
// none) in the div, shown until the script draws the chart in its place.
func (c *Chart) fragment(picture string) string {
	id := newID()
	var b strings.Builder
	fmt.Fprintf(&b, `<div id="%s" class="ck-chart" data-title="%s" style="width:100%%;max-width:960px;height:%dpx">`,
		id, html.EscapeString(c.title), c.height)
	if picture != "" {
		fmt.Fprintf(&b, `<img class="ck-picture" src="%s" alt="%s" style="width:100%%;height:auto">`,
			picture, html.EscapeString(c.title))
	}
	b.WriteString("</div>")
	defs, option := shareFunctions(c.option)
	fmt.Fprintf(&b, "\n<script>\n(function () {\n"+
		"  %svar id = '%s', option = %s, tries = 0;\n"+
		"  function draw() {\n"+
		"    var el = document.getElementById(id);\n"+
		"    if (!el) { return; }\n"+
		"    var ec = window.echarts;\n"+
		"    if (!ec) {\n"+
		"      if (++tries < 300) { setTimeout(draw, 50); return; }\n"+
		"      var note = document.createElement('p');\n"+
		"      note.textContent = %q;\n"+
		"      el.style.height = 'auto';\n"+
		"      el.appendChild(note);\n"+
		"      return;\n"+
		"    }\n"+
		"    var pic = el.querySelector('img.ck-picture');\n"+
		"    if (pic) { el.removeChild(pic); }\n"+
		"    var chart = ec.getInstanceByDom(el) || ec.init(el);\n"+
		"    chart.setOption(option);\n"+
		"    if (window.ResizeObserver) { new ResizeObserver(function () { chart.resize(); }).observe(el); }\n"+
		"  }\n"+
		"  draw();\n"+
		"})();\n</script>", escapeScript(defs), id, escapeScript(option), missingLibrary)
	return b.String()
}

// shareFunctions names each JavaScript function that the option repeats
// (a Gantt chart's renderItem is the same in every lane's series) once, as
// a variable: defs declares them, and the option refers to them. It keeps a
// saved notebook small; the option's meaning does not change. The course's
// functions hold no braces inside strings, which is what it relies on to
// find where a function ends.
func shareFunctions(option string) (defs, shared string) {
	const start = "function ("
	count := map[string]int{}
	var order []string
	for i := 0; ; {
		j := strings.Index(option[i:], start)
		if j < 0 {
			break
		}
		fn := functionAt(option[i+j:])
		if fn == "" {
			break
		}
		if count[fn] == 0 {
			order = append(order, fn)
		}
		count[fn]++
		i += j + len(fn)
	}
	var b strings.Builder
	shared = option
	n := 0
	for _, fn := range order {
		if count[fn] < 2 {
			continue
		}
		name := fmt.Sprintf("ckFn%d", n)
		n++
		fmt.Fprintf(&b, "var %s = %s;\n  ", name, fn)
		shared = strings.ReplaceAll(shared, fn, name)
	}
	return b.String(), shared
}

// functionAt returns the function literal at the start of s, up to its
// closing brace, or "" when its braces do not close.
func functionAt(s string) string {
	depth := 0
	for i, r := range s {
		switch r {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return s[:i+1]
			}
		}
	}
	return ""
}

const missingLibrary = "This chart needs the ECharts library, which the setup cell at the top of the notebook loads. " +
	"Run that cell, then this one again. If you opened a saved notebook, trust it (File > Trust Notebook)."

// Page returns a stand-alone HTML document with the library inlined, which
// draws the chart in any browser with no network.
func (c *Chart) Page() (string, error) {
	loader, err := loaderScript()
	if err != nil {
		return "", err
	}
	return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + htmlEscape(c.title) + "</title></head>\n<body>\n" +
		loader + "\n" + c.Fragment() + "\n</body></html>\n", nil
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// Show displays the chart through the current display sink: inline in a
// notebook, or as a page in a file (whose path it prints) outside one.
// When the chart cannot be shown, Show says so on standard error, so that
// a cell that ignores the error still shows the failure, and returns it.
func (c *Chart) Show() error {
	picture := ""
	if display.InNotebook() {
		picture = c.picture(defaultRenderer())
	}
	where, err := display.Current().HTML(c.title, c.fragment(picture), c.Page)
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

// jsonOf returns a go-echarts chart's option as JSON with functions marked.
func jsonOf(b *charts.BaseConfiguration) func() string {
	return func() string { return string(b.JSONNotEscaped()) }
}
