// Package cpuuse samples how busy each CPU core is while an experiment
// runs, from /proc/stat on Linux, so that a lesson can draw one busy core
// under the GIL model and every core with goroutines. It measures and
// nothing more: chart.CPU draws the samples (see Split).
package cpuuse

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

// ErrUnavailable is returned where /proc/stat cannot be read (outside Linux).
var ErrUnavailable = errors.New("cpuuse: per-core CPU use is not available on this system (it needs Linux's /proc/stat)")

// A Sample is the busy share (0 to 1) of each core over the period that
// ends at At, on the timeline's clock.
type Sample struct {
	At   time.Duration
	Busy []float64
}

// ticks is one core's counters from /proc/stat.
type ticks struct{ busy, total uint64 }

// read parses the per-core lines ("cpu0 ...", "cpu1 ...") of /proc/stat.
func read(r io.Reader) ([]ticks, error) {
	var out []ticks
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		var t ticks
		for i, v := range f[1:] {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("cpuuse: bad /proc/stat line %q", sc.Text())
			}
			t.total += n
			if i != 3 && i != 4 { // idle and iowait
				t.busy += n
			}
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, errors.New("cpuuse: no per-core lines in /proc/stat")
	}
	return out, sc.Err()
}

func readFile(path string) ([]ticks, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, ErrUnavailable
	}
	defer f.Close()
	return read(f)
}

// A Sampler reads /proc/stat every period until Stop.
type Sampler struct {
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
	mu       sync.Mutex
	samples  []Sample
}

// Start samples every period (a tenth of a unit is a good choice) on tl's
// clock. It returns ErrUnavailable where there is no /proc/stat.
func Start(tl *timing.Timeline, period time.Duration) (*Sampler, error) {
	return start(tl, period, "/proc/stat")
}

func start(tl *timing.Timeline, period time.Duration, path string) (*Sampler, error) {
	prev, err := readFile(path)
	if err != nil {
		return nil, err
	}
	s := &Sampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
			cur, err := readFile(path)
			if err != nil || len(cur) != len(prev) {
				continue
			}
			busy := make([]float64, len(cur))
			for i := range cur {
				if dt := cur[i].total - prev[i].total; dt > 0 {
					busy[i] = float64(cur[i].busy-prev[i].busy) / float64(dt)
				}
			}
			prev = cur
			s.mu.Lock()
			s.samples = append(s.samples, Sample{At: tl.Now(), Busy: busy})
			s.mu.Unlock()
		}
	}()
	return s, nil
}

// Stop ends the sampling and returns the samples. Calling it again is
// harmless and returns the same samples.
func (s *Sampler) Stop() []Sample {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.samples
}

// Mean returns each core's mean busy share over the samples.
func Mean(samples []Sample) []float64 {
	if len(samples) == 0 {
		return nil
	}
	mean := make([]float64, len(samples[0].Busy))
	for _, s := range samples {
		for i, b := range s.Busy {
			mean[i] += b / float64(len(samples))
		}
	}
	return mean
}

// Split returns the samples' times and busy shares apart: at[i] is
// samples[i].At and busy[i] is samples[i].Busy, which is what chart.CPU
// draws.
func Split(samples []Sample) (at []time.Duration, busy [][]float64) {
	at = make([]time.Duration, len(samples))
	busy = make([][]float64, len(samples))
	for i, s := range samples {
		at[i], busy[i] = s.At, s.Busy
	}
	return at, busy
}
