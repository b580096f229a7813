// Package page writes the HTML that shows the course's charts: a chart's
// div with the script that draws its option there, the scripts that put
// the ECharts library on a page (inline, or asked of the Jupyter server),
// and a stand-alone document that holds both.
package page

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"regexp"
	"strings"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/jsopt"
)

// MissingLibrary is what a chart says in its place when the library never
// came to the page.
const MissingLibrary = "This chart needs the ECharts library, which the setup cell at the top of the notebook loads. " +
	"Run that cell, then this one again. If you opened a saved notebook, trust it (File > Trust Notebook)."

// scriptEnd matches what would end a <script> element early.
var scriptEnd = regexp.MustCompile(`(?i)</(script)`)

// Escape makes text safe inside a <script> element: "</script" in a
// JavaScript string or regular expression is the same as "<\/script".
func Escape(s string) string {
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

// Fragment returns the HTML that draws a chart titled title, height pixels
// high, from its ECharts option (see package jsopt): a div, with a
// picture of the chart in it (a data: URL, or "" for none) until the
// script draws the chart in its place, and a script that waits for the
// ECharts library and draws into the div, or says MissingLibrary there
// when the library does not come.
func Fragment(title string, height int, option, picture string) string {
	id := newID()
	var b strings.Builder
	fmt.Fprintf(&b, `<div id="%s" class="ck-chart" data-title="%s" style="width:100%%;max-width:960px;height:%dpx">`,
		id, html.EscapeString(title), height)
	if picture != "" {
		fmt.Fprintf(&b, `<img class="ck-picture" src="%s" alt="%s" style="width:100%%;height:auto">`,
			picture, html.EscapeString(title))
	}
	b.WriteString("</div>")
	defs, option := jsopt.Share(option)
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
		"})();\n</script>", Escape(defs), id, Escape(option), MissingLibrary)
	return b.String()
}

// Document returns a stand-alone HTML document titled title whose body is
// the library's loader script and then a chart's fragment.
func Document(title, loader, fragment string) string {
	return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + htmlEscape(title) + "</title></head>\n<body>\n" +
		loader + "\n" + fragment + "\n</body></html>\n"
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// Inline returns a <script> element that defines window.echarts from the
// library's text lib, once per page. The library is a UMD bundle: where
// RequireJS is present (classic Notebook, nbconvert's HTML export) it would
// register as an AMD module and leave window.echarts undefined, so it runs
// with define, exports and module hidden.
func Inline(lib string) string {
	return "<script>\nif (!window.echarts) {\n(function (define, exports, module) {\n" +
		Escape(lib) + "\n}).call(window);\n}\n</script>"
}

// FromJupyter returns the script that loads the library into a JupyterLab
// (or Notebook 7) page from the Jupyter server, once per page: it finds the
// server's root folder in the page's configuration and asks the server for
// the file at lib (an absolute path; under the home it may be written with
// ~, as the server writes its root). Nothing of the library is stored in
// the notebook, and a reopened trusted notebook loads it the same way.
func FromJupyter(lib string) string {
	paths := []string{lib}
	if home, err := os.UserHomeDir(); err == nil && strings.HasPrefix(lib, home+"/") {
		paths = append(paths, "~"+strings.TrimPrefix(lib, home))
	}
	list, _ := json.Marshal(paths) // strings only: cannot fail
	return "<script>\n(function () {\n" +
		"  if (window.echarts || window.ckEChartsLoading) { return; }\n" +
		"  var cfg = document.getElementById('jupyter-config-data');\n" +
		"  if (!cfg) { return; }\n" +
		"  cfg = JSON.parse(cfg.textContent);\n" +
		"  if (!cfg.serverRoot) { return; }\n" +
		"  var root = cfg.serverRoot.replace(/\\/+$/, ''), rel = null;\n" +
		"  " + Escape(string(list)) + ".forEach(function (p) {\n" +
		"    if (rel === null && p.indexOf(root + '/') === 0) { rel = p.slice(root.length + 1); }\n" +
		"  });\n" +
		"  if (rel === null) { return; }\n" +
		"  var url = (cfg.baseUrl || '/') + 'files/' + rel.split('/').map(encodeURIComponent).join('/');\n" +
		"  window.ckEChartsLoading = true;\n" +
		"  if (typeof window.define === 'function' && window.define.amd && window.require) {\n" +
		"    window.require([url], function (ec) { window.echarts = ec; });\n" +
		"    return;\n" +
		"  }\n" +
		"  var s = document.createElement('script');\n" +
		"  s.src = url;\n" +
		"  s.onerror = function () { window.ckEChartsLoading = false; };\n" +
		"  document.head.appendChild(s);\n" +
		"})();\n</script>"
}
