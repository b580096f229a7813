// Package library finds and reads the ECharts library that the course's
// set-up installs: the file the stand-alone pages inline, the picture
// renderer loads into Node.js, and the Jupyter server serves to notebook
// pages. Its errors start with "chart:", as package chart returns them.
package library

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/concurrency-kitchen/course/helpers/internal/courseroot"
)

// Version is the ECharts release the charts are written for; the set-up
// installs exactly this version (see package.json).
const Version = "5.6.0"

// Env names a variable that may point at echarts.min.js. Without it the
// library is Rel in the course's checkout, where the set-up installs it.
const Env = "COURSE_ECHARTS_JS"

// Rel is where the set-up installs the library, in the course's checkout.
const Rel = "node_modules/echarts/dist/echarts.min.js"

// ServedRel is where the set-up puts a copy of the library: in an assets
// folder beside the notebooks, which the Jupyter server serves to the page
// whatever folder it was started in (the notebooks' own, or the home
// holding them in the image).
const ServedRel = "assets/echarts.min.js"

// Path returns the path of the library file, or an error that says how to
// install it.
func Path() (string, error) {
	if p := os.Getenv(Env); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("chart: %s=%q: %w", Env, p, err)
		}
		return p, nil
	}
	root, err := courseroot.Dir()
	if err == nil {
		p := filepath.Join(root, Rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("chart: the ECharts library is not installed: run the course set-up (make setup), " +
		"or npm install in the course directory, or set " + Env)
}

// load reads the library once per process; a test that changes where it
// is reassigns it, as sync.OnceValues(read).
var load = sync.OnceValues(read)

// Load returns the text of the library, read once per process, or why it
// cannot: not installed, or not the Version the charts are written for.
func Load() (string, error) { return load() }

// read reads the library and checks its version.
func read() (string, error) {
	p, err := Path()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("chart: %w", err)
	}
	if !strings.Contains(string(b), `version="`+Version+`"`) {
		return "", fmt.Errorf("chart: %s is not ECharts %s: reinstall with the course set-up", p, Version)
	}
	return string(b), nil
}

// Served returns the absolute path of the copy the Jupyter server serves:
// the one beside the notebook (the kernel's working directory), else the
// one in the course's notebooks folder.
func Served() (string, error) {
	var tried []string
	if wd, err := os.Getwd(); err == nil {
		tried = append(tried, filepath.Join(wd, ServedRel))
	}
	if root, err := courseroot.Dir(); err == nil {
		tried = append(tried, filepath.Join(root, "notebooks", ServedRel))
	}
	for _, p := range tried {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("chart: the copy of the library that Jupyter serves is missing (looked for %s): run the course set-up (make setup)",
		strings.Join(tried, ", "))
}
