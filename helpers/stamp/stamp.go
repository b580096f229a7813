// Package stamp describes the machine a lesson runs on: Go version,
// GOMAXPROCS, CPU count and model, and the course's time unit. Every
// lesson prints it in its setup cell, so a reader of any result knows
// what it was measured on.
package stamp

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

// A Stamp is a description of the machine and the course settings.
type Stamp struct {
	GoVersion  string        `json:"go_version"`
	OS, Arch   string        `json:"-"`
	GOMAXPROCS int           `json:"gomaxprocs"`
	NumCPU     int           `json:"num_cpu"`
	CPUModel   string        `json:"cpu_model"`
	TimeUnit   time.Duration `json:"time_unit"`
}

// Read returns the stamp of this process. The CPU model comes from
// /proc/cpuinfo where it exists and is "unknown" elsewhere. A bad
// COURSE_TIME_UNIT is an error.
func Read() (Stamp, error) {
	unit, err := timing.ParseUnit(os.Getenv(timing.UnitEnv))
	if err != nil {
		return Stamp{}, err
	}
	model := "unknown"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		model = cpuModel(f)
		f.Close()
	}
	return Stamp{
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		NumCPU:     runtime.NumCPU(),
		CPUModel:   model,
		TimeUnit:   unit,
	}, nil
}

// cpuModel returns the first "model name" in a /proc/cpuinfo listing.
func cpuModel(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			if v := strings.TrimSpace(value); v != "" {
				return v
			}
		}
	}
	return "unknown"
}

// String formats the stamp on one line.
func (s Stamp) String() string {
	return fmt.Sprintf("%s %s/%s | GOMAXPROCS=%d NumCPU=%d | CPU: %s | time unit: %v",
		s.GoVersion, s.OS, s.Arch, s.GOMAXPROCS, s.NumCPU, s.CPUModel, s.TimeUnit)
}

// Print reads the stamp and prints it to standard output. It panics with
// a clear message when COURSE_TIME_UNIT is invalid.
func Print() Stamp {
	s, err := Read()
	if err != nil {
		panic(err)
	}
	fmt.Println(s)
	return s
}
