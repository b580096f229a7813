package load

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestParseMax(t *testing.T) {
	tests := []struct {
		in     string
		limit  float64
		period time.Duration
		ok     bool
	}{
		{"max 100000\n", 0, 0, false},
		{"100000 100000\n", 1, 100 * time.Millisecond, true},
		{"150000 100000", 1.5, 100 * time.Millisecond, true},
		{"25000 50000", 0.5, 50 * time.Millisecond, true},
		{"-1 100000", 0, 0, false}, // cgroup v1: no quota
		{"50000 0", 0, 0, false},
		{"", 0, 0, false},
		{"a b", 0, 0, false},
	}
	for _, tt := range tests {
		limit, period, ok := parseMax(tt.in)
		if limit != tt.limit || period != tt.period || ok != tt.ok {
			t.Errorf("parseMax(%q) = %v, %v, %v; want %v, %v, %v", tt.in, limit, period, ok, tt.limit, tt.period, tt.ok)
		}
	}
}

func TestThrottleDelay(t *testing.T) {
	const p = 100 * time.Millisecond
	tests := []struct {
		limit float64
		ok    bool
		cpus  int
		want  time.Duration
	}{
		{0, false, 2, 0},  // no quota
		{1, true, 2, p},   // Binder, docker run --cpus 1: one CPU's time on two
		{1.5, true, 2, p}, // below the machine
		{2, true, 2, 0},   // a quota of the whole machine never throttles
		{4, true, 2, 0},
		{1, true, 1, 0}, // one CPU, a quota of one: the same
	}
	for _, tt := range tests {
		if got := throttleDelay(tt.limit, p, tt.ok, tt.cpus); got != tt.want {
			t.Errorf("throttleDelay(%v, %v, %v, %d) = %v, want %v", tt.limit, p, tt.ok, tt.cpus, got, tt.want)
		}
	}
}

func TestParseThrottled(t *testing.T) {
	tests := []struct {
		name, in string
		want     time.Duration
		ok       bool
	}{
		{"v1", "nr_periods 120\nnr_throttled 7\nthrottled_time 350000000\n", 350 * time.Millisecond, true},
		{"v2", "usage_usec 9000\nuser_usec 6000\nsystem_usec 3000\nnr_periods 12\nnr_throttled 2\nthrottled_usec 41000\n", 41 * time.Millisecond, true},
		{"never throttled", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n", 0, true},
		{"no throttle line", "usage_usec 9000\n", 0, false},
		{"garbage value", "throttled_usec lots\n", 0, false},
		{"negative", "throttled_time -5\n", 0, false},
		{"empty", "", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseThrottled(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: parseThrottled(%q) = %v, %v; want %v, %v", tt.name, tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCPUDirs(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"0::/user.slice/a.scope", []string{"/sys/fs/cgroup/user.slice/a.scope", "/sys/fs/cgroup/user.slice", "/sys/fs/cgroup"}},
		{"0::/", []string{"/sys/fs/cgroup"}},
		{"4:cpu,cpuacct:/docker/x", []string{"/sys/fs/cgroup/cpu/docker/x", "/sys/fs/cgroup/cpu/docker", "/sys/fs/cgroup/cpu"}},
		{"3:cpu:/", []string{"/sys/fs/cgroup/cpu"}},
		{"5:cpuset:/", nil},
		{"7:memory:/x", nil},
		{"garbage", nil},
	}
	for _, tt := range tests {
		if got := cpuDirs(tt.line); !slices.Equal(got, tt.want) {
			t.Errorf("cpuDirs(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestCoresUnderQuota runs this test binary in a cgroup v1 limited to one CPU, where Go's
// default GOMAXPROCS is 2 (it rounds a quota below 2 up to 2) but Cores must say 1. It needs
// root and a writable cgroup v1 cpu hierarchy, and skips elsewhere.
func TestCoresUnderQuota(t *testing.T) {
	if os.Getenv("LOAD_TEST_CHILD") == "1" {
		limit, ok := CPULimit()
		before, _ := Throttled()
		// Two goroutines want two CPUs: the quota gives one, and the kernel throttles the cgroup,
		// unless other programs keep this one below its quota (a busy machine). Spin in rounds of
		// 300 ms until the throttling shows, at most ten, and report the CPU time the cgroup got
		// for its wall time: near 1 means it used its whole quota.
		after, readable := before, false
		cpu0, wall0 := cpuTime(), time.Now()
		for range 10 {
			spin(2, 300*time.Millisecond)
			if after, readable = Throttled(); after-before >= 50*time.Millisecond {
				break
			}
		}
		share := float64(cpuTime()-cpu0) / float64(time.Since(wall0))
		os.Stdout.WriteString(strconv.Itoa(Cores()) + " " + strconv.Itoa(runtime.GOMAXPROCS(0)) + " " + strconv.FormatFloat(limit, 'f', 2, 64) + " " + strconv.FormatBool(ok) + " " + ThrottleDelay().String() +
			" " + strconv.FormatBool(readable) + " " + (after - before).String() + " " + strconv.FormatFloat(share, 'f', 2, 64) + "\n" + Describe() + "\n")
		return
	}
	if runtime.NumCPU() < 2 {
		t.Skip("one CPU: Go's GOMAXPROCS is 1 anyway")
	}
	dir, err := os.MkdirTemp("/sys/fs/cgroup/cpu", "load-test-")
	if err != nil {
		t.Skipf("no writable cgroup v1 cpu hierarchy here: %v", err)
	}
	defer os.Remove(dir)
	if err := os.WriteFile(filepath.Join(dir, "cpu.cfs_period_us"), []byte("100000"), 0o644); err != nil {
		t.Skip(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cpu.cfs_quota_us"), []byte("100000"), 0o644); err != nil {
		t.Skip(err)
	}
	// The highest weight, so that other programs on a busy machine cannot hold the cgroup at or
	// under its quota by their fair share (seen with two busy loops beside the test: 0.99 CPUs
	// and 2 ms of throttling); the quota, not the competition, must be what limits it.
	if err := os.WriteFile(filepath.Join(dir, "cpu.shares"), []byte("262144"), 0o644); err != nil {
		t.Logf("cpu.shares: %v", err)
	}
	// The child joins the cgroup before Go starts in it: a shell writes its own pid, then execs.
	cmd := exec.Command("sh", "-c", `echo $$ > "$1/cgroup.procs" && exec "$2" -test.run '^TestCoresUnderQuota$'`, "sh", dir, os.Args[0])
	cmd.Env = append(os.Environ(), "LOAD_TEST_CHILD=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	var cores, procs int
	var limit float64
	var ok bool
	var throttle, throttled string
	var readable bool
	var share float64
	if _, err := fmt.Sscan(string(out), &cores, &procs, &limit, &ok, &throttle, &readable, &throttled, &share); err != nil {
		t.Fatalf("child printed %q: %v", out, err)
	}
	if !ok || limit != 1 || cores != 1 {
		t.Errorf("in a one-CPU cgroup: Cores() = %d, CPULimit() = %v, %v; want 1, 1, true (GOMAXPROCS %d)", cores, limit, ok, procs)
	}
	if throttle != "100ms" {
		t.Errorf("in a one-CPU cgroup on %d CPUs: ThrottleDelay() = %s, want 100ms", runtime.NumCPU(), throttle)
	}
	switch d, err := time.ParseDuration(throttled); {
	case err != nil || !readable:
		t.Errorf("in a one-CPU cgroup: Throttled() unreadable (%q, readable %v)", throttled, readable)
	case d < 50*time.Millisecond && share >= 0.9:
		t.Errorf("in a one-CPU cgroup, two goroutines spinning up to 3 s: Throttled() grew by %s while the cgroup got %.2f CPUs, want 50ms or more", throttled, share)
	case d < 50*time.Millisecond:
		t.Logf("in a one-CPU cgroup: other programs kept it at %.2f CPUs, under its quota, so no throttling to see (%s)", share, throttled)
	}
	if want := "CPU quota 1.00: 1 goroutine can compute at a time"; !strings.Contains(string(out), want) {
		t.Errorf("Describe in a one-CPU cgroup: %q, want it to say %q", out, want)
	}
	t.Logf("in a one-CPU cgroup: %s", strings.TrimSpace(string(out)))
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// spin keeps n goroutines computing for d of wall time.
func spin(n int, d time.Duration) {
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	for range n {
		wg.Go(func() {
			for x := 0; time.Now().Before(end); x++ {
				_ = x * x
			}
		})
	}
	wg.Wait()
}
