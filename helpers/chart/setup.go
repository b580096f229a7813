package chart

import (
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

// Setup loads the ECharts library into the notebook page, so that the
// charts of every later cell draw without a network. Each lesson's setup
// cell calls it; calling it again is harmless. Outside a notebook it only
// checks that the library is installed: the pages written there carry the
// library themselves.
func Setup() error {
	loader, err := loaderScript()
	if err != nil {
		return err
	}
	if !display.InNotebook() {
		return nil
	}
	where, err := display.Current().HTML("echarts-loader",
		`<div class="ck-echarts-loader" style="display:none"></div>`+loader,
		func() (string, error) { return "", nil })
	if err != nil {
		return err
	}
	if where == "notebook" {
		fmt.Printf("Charts: ECharts %s loaded into this page (offline).\n", EChartsVersion)
	}
	return nil
}
