// Package courseroot finds the course's checkout: where lessons/python,
// node_modules and the virtualenv live.
package courseroot

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// Env is the variable that names the course's checkout. The course's
// kernel sets it; without it the checkout is looked for above the working
// directory, then where this package was compiled from.
const Env = "COURSE_ROOT"

// Dir returns the course's checkout.
func Dir() (string, error) {
	if d := os.Getenv(Env); d != "" {
		if isRoot(d) {
			return d, nil
		}
		return "", errors.New("courseroot: " + Env + "=" + d + " is not the course's checkout (no helpers/ and go.mod there)")
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if isRoot(d) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		// helpers/internal/courseroot/courseroot.go -> the checkout
		d := filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(file))))
		if isRoot(d) {
			return d, nil
		}
	}
	return "", errors.New("courseroot: cannot find the course's checkout: set " + Env)
}

func isRoot(d string) bool {
	for _, p := range []string{"go.mod", "helpers", "lessons"} {
		if _, err := os.Stat(filepath.Join(d, p)); err != nil {
			return false
		}
	}
	return true
}
