// Package timing measures the course's experiments: the time unit that
// stands for one "second" of the seeds, a stopwatch, and a goroutine-safe
// timeline of spans that goroutines and child processes report into.
//
// Every experiment in the course is written in units, not seconds. The
// environment variable COURSE_TIME_UNIT (a Go duration such as "1s" or
// "50ms") sets how long one unit lasts, so the same notebook runs at the
// seeds' pace for a learner and in a fraction of the time under test.
package timing

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// UnitEnv is the environment variable that sets the time unit.
const UnitEnv = "COURSE_TIME_UNIT"

// DefaultUnit is the time unit when UnitEnv is unset: one second, as in the seeds.
const DefaultUnit = time.Second

// Bounds on the time unit. Below MinUnit timer and scheduling noise swamp
// the experiments; above MaxUnit a lesson would take hours.
const (
	MinUnit = 5 * time.Millisecond
	MaxUnit = 10 * time.Second
)

// ParseUnit parses a time unit such as "1s" or "50ms". An empty string means
// DefaultUnit. It rejects anything that is not a Go duration between MinUnit
// and MaxUnit, naming the variable and the accepted range in the error.
func ParseUnit(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultUnit, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a Go duration (try \"1s\" or \"100ms\")", UnitEnv, s)
	}
	if d < MinUnit || d > MaxUnit {
		return 0, fmt.Errorf("%s=%q is out of range: use a duration from %v to %v", UnitEnv, s, MinUnit, MaxUnit)
	}
	return d, nil
}

// Unit returns the time unit set by COURSE_TIME_UNIT, or DefaultUnit.
// It panics with a message naming the variable when the value is invalid:
// a notebook cell must stop rather than run an experiment at the wrong pace.
func Unit() time.Duration {
	d, err := ParseUnit(os.Getenv(UnitEnv))
	if err != nil {
		panic(err)
	}
	return d
}

// Units returns the duration of n time units.
func Units(n float64) time.Duration {
	return time.Duration(n * float64(Unit()))
}

// InUnits converts a duration to time units.
func InUnits(d time.Duration) float64 {
	return float64(d) / float64(Unit())
}
