package load

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Cores returns how many goroutines of this program can compute at the same moment: the least
// of GOMAXPROCS, the CPUs the process may run on (runtime.NumCPU, which follows its affinity,
// e.g. taskset) and its cgroup's CPU quota rounded down (at least 1). The quota matters where
// Go's own default does not follow it: Go rounds a quota below 2 CPUs up to GOMAXPROCS=2, so a
// container limited to one CPU (a Binder, `docker run --cpus 1`) runs two Ps on one CPU's time.
func Cores() int { return cores(CPULimit()) }

// cores is Cores for a quota already read.
func cores(limit float64, limited bool) int {
	n := min(runtime.GOMAXPROCS(0), runtime.NumCPU())
	if limited {
		n = min(n, max(1, int(math.Floor(limit+1e-9))))
	}
	return n
}

// CPULimit returns the CPU time this process's cgroup may use, in CPUs (quota / period), and
// false when no limit is set or none can be read (outside Linux). It reads cgroup v2's cpu.max
// and cgroup v1's cpu.cfs_quota_us and cpu.cfs_period_us, from the process's cgroup up to the
// root of the hierarchy, and returns the tightest limit on the way.
func CPULimit() (float64, bool) {
	limit, _, _, ok := cpuLimit()
	return limit, ok
}

// ThrottleDelay returns how long the kernel may hold up every process of this cgroup after a
// burst of CPU work, such as several processes starting at once: under a CPU quota smaller than
// the CPUs the process may use, the cgroup gets quota × period of CPU time per period, and once
// it has used that, all of it waits for the next period (it is throttled). That is at most one
// period of the quota (100 ms unless the cgroup sets another). With no such quota it returns 0.
// A model of a run that starts or ends processes together adds it, as it adds their start-up.
func ThrottleDelay() time.Duration {
	limit, period, _, ok := cpuLimit()
	return throttleDelay(limit, period, ok, runtime.NumCPU())
}

// throttleDelay is ThrottleDelay for a quota already read, on cpus CPUs.
func throttleDelay(limit float64, period time.Duration, ok bool, cpus int) time.Duration {
	if !ok || limit >= float64(cpus) {
		return 0
	}
	return period
}

// cpuLimit is CPULimit with the period of the tightest limit and the cgroup directory that
// sets it.
func cpuLimit() (limit float64, period time.Duration, dir string, ok bool) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return 0, 0, "", false
	}
	defer f.Close()
	best := math.Inf(1)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		for _, d := range cpuDirs(sc.Text()) {
			if l, p, ok := readLimit(d); ok && l < best {
				best, period, dir = l, p, d
			}
		}
	}
	if math.IsInf(best, 1) {
		return 0, 0, "", false
	}
	return best, period, dir, true
}

// Throttled returns how long, in all, the kernel has held up this process's cgroup for having
// used its CPU quota (see ThrottleDelay), counted since the cgroup was made, and false when no
// quota is set or the count cannot be read. It reads cpu.stat beside the tightest quota:
// throttled_usec (cgroup v2) or throttled_time in nanoseconds (v1). The kernel adds up the time
// per CPU, so on n CPUs one period of the whole cgroup held up can count up to n periods: the
// difference of two readings bounds from above how long the cgroup was held up between them.
// Every process of the cgroup counts: in a container, the kernel, the language server and
// Jupyter use the same quota as a cell's program.
func Throttled() (time.Duration, bool) {
	_, _, dir, ok := cpuLimit()
	if !ok {
		return 0, false
	}
	b, err := os.ReadFile(path.Join(dir, "cpu.stat"))
	if err != nil {
		return 0, false
	}
	return parseThrottled(string(b))
}

// parseThrottled reads the throttled time out of a cpu.stat file: throttled_usec (cgroup v2)
// or throttled_time (v1, in nanoseconds).
func parseThrottled(stat string) (time.Duration, bool) {
	for _, line := range strings.Split(stat, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || n < 0 {
			continue
		}
		switch f[0] {
		case "throttled_usec":
			return time.Duration(n) * time.Microsecond, true
		case "throttled_time":
			return time.Duration(n), true
		}
	}
	return 0, false
}

// cpuDirs returns, for one line of /proc/self/cgroup, the directories that may hold its CPU
// limit, from the process's own cgroup up to the root: under /sys/fs/cgroup for cgroup v2
// ("0::/path"), under /sys/fs/cgroup/cpu for a v1 hierarchy with the cpu controller
// ("4:cpu,cpuacct:/path"). Other lines give none.
func cpuDirs(line string) []string {
	parts := strings.SplitN(line, ":", 3)
	if len(parts) != 3 {
		return nil
	}
	var root string
	switch {
	case parts[0] == "0" && parts[1] == "":
		root = "/sys/fs/cgroup"
	case slices.Contains(strings.Split(parts[1], ","), "cpu"):
		root = "/sys/fs/cgroup/cpu"
	default:
		return nil
	}
	var dirs []string
	for p := path.Clean("/" + parts[2]); ; p = path.Dir(p) {
		dirs = append(dirs, path.Join(root, p))
		if p == "/" {
			return dirs
		}
	}
}

// readLimit reads the CPU limit in dir and its period: cpu.max (v2) or cpu.cfs_quota_us and
// cpu.cfs_period_us (v1).
func readLimit(dir string) (float64, time.Duration, bool) {
	if b, err := os.ReadFile(path.Join(dir, "cpu.max")); err == nil {
		return parseMax(string(b))
	}
	q, err1 := os.ReadFile(path.Join(dir, "cpu.cfs_quota_us"))
	p, err2 := os.ReadFile(path.Join(dir, "cpu.cfs_period_us"))
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return parseMax(strings.TrimSpace(string(q)) + " " + strings.TrimSpace(string(p)))
}

// parseMax parses "QUOTA PERIOD" in microseconds, as cgroup v2's cpu.max holds it, into the
// limit in CPUs and the period: "max" (v2) or a negative quota (v1's -1) means no limit.
func parseMax(s string) (float64, time.Duration, bool) {
	f := strings.Fields(s)
	if len(f) != 2 || f[0] == "max" {
		return 0, 0, false
	}
	quota, err1 := strconv.ParseFloat(f[0], 64)
	period, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || quota <= 0 || period <= 0 {
		return 0, 0, false
	}
	return quota / period, time.Duration(period) * time.Microsecond, true
}

// Describe says in a line what Cores is made of, as in "GOMAXPROCS=2, NumCPU=2, CPU quota 1.00:
// 1 goroutine can compute at a time" or "GOMAXPROCS=2, NumCPU=2, no CPU quota: 2 goroutines can
// compute at once".
func Describe() string {
	limit, limited := CPULimit()
	quota := "no CPU quota"
	if limited {
		quota = fmt.Sprintf("CPU quota %.2f", limit)
	}
	n := cores(limit, limited)
	can := fmt.Sprintf("%d goroutines can compute at once", n)
	if n == 1 {
		can = "1 goroutine can compute at a time"
	}
	return fmt.Sprintf("GOMAXPROCS=%d, NumCPU=%d, %s: %s", runtime.GOMAXPROCS(0), runtime.NumCPU(), quota, can)
}
