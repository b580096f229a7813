package chart

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/concurrency-kitchen/course/helpers/internal/courseroot"
)

// EChartsVersion is the ECharts release the charts are written for; the
// set-up installs exactly this version (see package.json).
const EChartsVersion = "5.6.0"

// LibraryEnv names a variable that may point at echarts.min.js. Without
// it the library is node_modules/echarts/dist/echarts.min.js in the
// course's checkout, where the set-up installs it.
const LibraryEnv = "COURSE_ECHARTS_JS"

const libraryRel = "node_modules/echarts/dist/echarts.min.js"

// LibraryPath returns the path of the ECharts library file, or an error
// that says how to install it.
func LibraryPath() (string, error) {
	if p := os.Getenv(LibraryEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("chart: %s=%q: %w", LibraryEnv, p, err)
		}
		return p, nil
	}
	root, err := courseroot.Dir()
	if err == nil {
		p := filepath.Join(root, libraryRel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("chart: the ECharts library is not installed: run the course set-up (make setup), " +
		"or npm install in the course directory, or set " + LibraryEnv)
}

// loadLibrary reads the library once per process; a test that changes
// where it is reassigns it, as sync.OnceValues(readLibrary).
var loadLibrary = sync.OnceValues(readLibrary)

// readLibrary reads the library and checks its version.
func readLibrary() (string, error) {
	p, err := LibraryPath()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("chart: %w", err)
	}
	if !strings.Contains(string(b), `version="`+EChartsVersion+`"`) {
		return "", fmt.Errorf("chart: %s is not ECharts %s: reinstall with the course set-up", p, EChartsVersion)
	}
	return string(b), nil
}

// loaderScript returns a <script> element that defines window.echarts, once
// per page. The library is a UMD bundle: where RequireJS is present
// (classic Notebook, nbconvert's HTML export) it would register as an AMD
// module and leave window.echarts undefined, so it runs with define,
// exports and module hidden.
func loaderScript() (string, error) {
	lib, err := loadLibrary()
	if err != nil {
		return "", err
	}
	return "<script>\nif (!window.echarts) {\n(function (define, exports, module) {\n" +
		escapeScript(lib) + "\n}).call(window);\n}\n</script>", nil
}

// servedRel is where the set-up puts a copy of the library: in an assets
// folder beside the notebooks, which the Jupyter server serves to the page
// whatever folder it was started in (the notebooks' own, or the home
// holding them in the image).
const servedRel = "assets/echarts.min.js"

// served returns the absolute path of the copy the Jupyter server serves:
// the one beside the notebook (the kernel's working directory), else the one
// in the course's notebooks folder.
func served() (string, error) {
	var tried []string
	if wd, err := os.Getwd(); err == nil {
		tried = append(tried, filepath.Join(wd, servedRel))
	}
	if root, err := courseroot.Dir(); err == nil {
		tried = append(tried, filepath.Join(root, "notebooks", servedRel))
	}
	for _, p := range tried {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("chart: the copy of the library that Jupyter serves is missing (looked for %s): run the course set-up (make setup)",
		strings.Join(tried, ", "))
}

// pageLoader returns the script that loads the library into a JupyterLab
// (or Notebook 7) page from the Jupyter server, once per page: it finds the
// server's root folder in the page's configuration and asks the server for
// the file at lib (an absolute path; under the home it may be written with ~,
// as the server writes its root). Nothing of the library is stored in the
// notebook, and a reopened trusted notebook loads it the same way.
func pageLoader(lib string) string {
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
		"  " + escapeScript(string(list)) + ".forEach(function (p) {\n" +
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

// Setup loads the ECharts library into the notebook page, so that the
// charts of every later cell draw without a network. Each lesson's setup
// cell calls it; calling it again is harmless. The page gets the library
// from the Jupyter server (a copy the set-up puts in the notebooks' folder),
// so the notebook stores a short script, not the library. Outside a
// notebook it only checks that the library is installed: the pages written
// there carry the library themselves.
func Setup() error {
	if _, err := loadLibrary(); err != nil {
		return err
	}
	if !display.InNotebook() {
		return nil
	}
	lib, err := served()
	if err != nil {
		return err
	}
	where, err := display.Current().HTML("echarts-loader",
		`<div class="ck-echarts-loader" style="display:none"></div>`+pageLoader(lib),
		func() (string, error) { return "", nil })
	if err != nil {
		return err
	}
	if where == "notebook" {
		fmt.Printf("Charts: ECharts %s, served to this page by Jupyter from the course's folder (offline).\n", EChartsVersion)
	}
	return nil
}
