package spawn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// The test binary is also the children's program: TestMain runs the role
// a child was started in.
func TestMain(m *testing.M) {
	switch os.Getenv(RoleEnv) {
	case "":
		raceQuickExit()
		os.Exit(m.Run())
	case "fail":
		fmt.Fprintln(os.Stderr, "about to fail")
		os.Exit(7)
	case "hang":
		time.Sleep(time.Hour)
	case "patient": // ends well at the end of descriptor 3
		io.Copy(io.Discard, os.NewFile(3, "stop"))
		fmt.Println("asked to stop")
		os.Exit(0)
	}
	os.Exit(3)
}

// raceQuickExit makes the children of a test binary built with -race
// exit at once: by default they sleep 1 s first (GORACE's
// atexit_sleep_ms), as long as a child has to end once asked to stop.
func raceQuickExit() {
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
}

func TestWait(t *testing.T) {
	tests := []struct {
		role string
		want []string // in the error; none: success
	}{
		{"fail", []string{`child "lane" (pid `, "failed: exit status 7", "its last output", "about to fail"}},
		{"unknown", []string{"exit status 3"}},
	}
	for _, tt := range tests {
		p, err := Start(context.Background(), Options{Role: tt.role, Lane: "lane"})
		if err != nil {
			t.Fatal(err)
		}
		err = p.Wait()
		for _, w := range tt.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v lacks %q", tt.role, err, w)
			}
		}
		if again := p.Wait(); again != err {
			t.Errorf("%s: a second Wait gave %v, the first %v", tt.role, again, err)
		}
	}
}

// TestCancel: a done context kills a child at once, or with a Stop asks
// it to end first, which a patient child does; one that is not is killed
// a second later.
func TestCancel(t *testing.T) {
	tests := []struct {
		role string
		stop bool
		want string
	}{
		{"hang", false, "signal: killed"},
		{"patient", false, "signal: killed"},
		{"patient", true, context.Canceled.Error()},
		{"hang", true, "signal: killed"},
	}
	for _, tt := range tests {
		stopR, stopW, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		opts := Options{Role: tt.role, Lane: tt.role, Files: []*os.File{stopR}}
		if tt.stop {
			opts.Stop = stopW.Close
		}
		p, err := Start(ctx, opts)
		stopR.Close()
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		start := time.Now()
		cancel()
		err = p.Wait()
		stopW.Close()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s, stop %v: error %v, want one saying %q", tt.role, tt.stop, err, tt.want)
		}
		if tt.role == "patient" && tt.stop && !errors.Is(err, context.Canceled) {
			t.Errorf("patient child with a stop: %v is not context.Canceled", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s, stop %v: Wait took %v after cancel", tt.role, tt.stop, d)
		}
		if !leakcheck.Gone(p.PID) {
			t.Errorf("%s: child %d still exists", tt.role, p.PID)
		}
	}
}

func TestKill(t *testing.T) {
	p, err := Start(context.Background(), Options{Role: "hang", Lane: "hang"})
	if err != nil {
		t.Fatal(err)
	}
	p.Kill()
	if err := p.Wait(); err == nil || !strings.Contains(err.Error(), "signal: killed") {
		t.Errorf("a killed child: %v", err)
	}
	p.Kill() // it has exited: nothing happens
}

func TestCleanEnv(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"A=1", "GONB_PIPE=/tmp/x", "GONB_PIPE_BACK=/tmp/y", RoleEnv + "=old", "B=2"}, "A=1,B=2"},
		{[]string{SpawnedEnv + "=1", "COURSE_PROC_FILES=2", "COURSE_PROC_ANYTHING=3", "COURSE_PROCESS=4"}, "COURSE_PROCESS=4"},
		{[]string{timing.OriginEnv + "=5", timing.FDEnv + "=3", timing.UnitEnv + "=1s"}, timing.UnitEnv + "=1s"},
		{[]string{"GONB_PIPE_X=1", "EMPTY="}, "GONB_PIPE_X=1,EMPTY="},
	}
	for _, tt := range tests {
		if got := CleanEnv(tt.in); strings.Join(got, ",") != tt.want {
			t.Errorf("CleanEnv(%q) = %q, want %s", tt.in, got, tt.want)
		}
	}
}

func TestWriters(t *testing.T) {
	var sb strings.Builder
	p := &prefixWriter{prefix: "[x] ", w: &sb}
	p.Write([]byte("one\ntw"))
	p.Write([]byte("o\n"))
	if sb.String() != "[x] one\n[x] two\n" {
		t.Errorf("prefixWriter wrote %q", sb.String())
	}
}
