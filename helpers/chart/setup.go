package chart

import (
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/library"
	"github.com/concurrency-kitchen/course/helpers/chart/internal/page"
	"github.com/concurrency-kitchen/course/helpers/display"
)

// EChartsVersion is the ECharts release the charts are written for; the
// set-up installs exactly this version (see package.json).
const EChartsVersion = library.Version

// LibraryEnv names a variable that may point at echarts.min.js. Without
// it the library is node_modules/echarts/dist/echarts.min.js in the
// course's checkout, where the set-up installs it.
const LibraryEnv = library.Env

// LibraryPath returns the path of the ECharts library file, or an error
// that says how to install it.
func LibraryPath() (string, error) { return library.Path() }

// Setup loads the ECharts library into the notebook page, so that the
// charts of every later cell draw without a network. Each lesson's setup
// cell calls it; calling it again is harmless. The page gets the library
// from the Jupyter server (a copy the set-up puts in the notebooks' folder),
// so the notebook stores a short script, not the library. Outside a
// notebook it only checks that the library is installed: the pages written
// there carry the library themselves.
func Setup() error {
	if _, err := library.Load(); err != nil {
		return err
	}
	if !display.InNotebook() {
		return nil
	}
	lib, err := library.Served()
	if err != nil {
		return err
	}
	where, err := display.Current().HTML("echarts-loader",
		`<div class="ck-echarts-loader" style="display:none"></div>`+page.FromJupyter(lib),
		func() (string, error) { return "", nil })
	if err != nil {
		return err
	}
	if where == "notebook" {
		fmt.Printf("Charts: ECharts %s, served to this page by Jupyter from the course's folder (offline).\n", EChartsVersion)
	}
	return nil
}
