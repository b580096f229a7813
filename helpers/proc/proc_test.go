package proc

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

// The test binary is also the children's program: TestMain serves these.
var testFuncs = map[string]ChildFunc{
	"cook": func(tl *timing.Timeline) {
		defer tl.Track("cook", "work")()
		fmt.Println("cooking")
		time.Sleep(20 * time.Millisecond)
	},
	"crash": func(tl *timing.Timeline) {
		fmt.Fprintln(os.Stderr, "about to fail")
		os.Exit(7)
	},
	"hang": func(tl *timing.Timeline) {
		fmt.Println("hanging")
		time.Sleep(time.Hour)
	},
	"noop": func(tl *timing.Timeline) {},
	"greet": func(tl *timing.Timeline) {
		defer tl.Track("greet", "say hello")()
		fmt.Println("hello from a child process")
	},
	"files": func(tl *timing.Timeline) {
		// Copies what File(0) gives to File(1), in upper case, then
		// reports on a file that was not given.
		in, out := File(0), File(1)
		b, err := io.ReadAll(in)
		if err != nil {
			os.Exit(4)
		}
		fmt.Fprintf(out, "%s %s %v", os.Getenv("GREETING"), strings.ToUpper(string(b)), File(2) == nil)
	},
	"env": func(tl *timing.Timeline) {
		fmt.Printf("pipe=%q back=%q\n", os.Getenv("GONB_PIPE"), os.Getenv("GONB_PIPE_BACK"))
	},
}

func TestMain(m *testing.M) {
	Serve(testFuncs)
	os.Exit(m.Run())
}

func TestChildReportsSpans(t *testing.T) {
	tl := timing.NewTimeline()
	c, err := Start(context.Background(), "cook", tl)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	var tasks []string
	for _, s := range tl.Spans() {
		if s.Lane != "cook" {
			t.Errorf("span on lane %q", s.Lane)
		}
		tasks = append(tasks, s.Task)
	}
	if len(tasks) != 2 || tasks[0] != StartupTask || tasks[1] != "work" {
		t.Errorf("tasks %v, want start-up then work", tasks)
	}
	if got, want := Startup(tl), tl.Spans()[0].Duration(); got != want || got <= 0 {
		t.Errorf("Startup = %v, want the start-up span's %v", got, want)
	}
	if got := Startup(timing.NewTimeline()); got != 0 {
		t.Errorf("Startup of an empty timeline = %v, want 0", got)
	}
	if c.Wait() != nil {
		t.Error("a second Wait gave another result")
	}
}

// TestStartWith gives a child two pipes and a variable: it reads one pipe
// and answers on the other.
func TestStartWith(t *testing.T) {
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	tl := timing.NewTimeline()
	c, err := StartWith(context.Background(), "files", tl,
		StartOptions{Name: "copier", Files: []*os.File{inR, outW}, Env: []string{"GREETING=hello"}})
	inR.Close() // the child has its own copies now
	outW.Close()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(inW, "from the parent")
	inW.Close()
	got, err := io.ReadAll(outR)
	outR.Close()
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	if want := "hello FROM THE PARENT true"; string(got) != want || err != nil {
		t.Errorf("the child answered %q, %v; want %q", got, err, want)
	}
	if File(0) != nil {
		t.Error("File(0) in a process that was given no files")
	}
	if lanes := tl.Lanes(); len(lanes) != 1 || lanes[0] != "copier" || c.Name != "copier" {
		t.Errorf("lanes %q, child %q: want the name copier", lanes, c.Name)
	}
}

func TestChildFailures(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"crash", []string{`"crash"`, "exit status 7", "about to fail"}},
		{"no-such-function", []string{"exit status 3", `no function named "no-such-function"`, `(have "cook", "crash"`}},
	}
	for _, tt := range tests {
		c, err := Start(context.Background(), tt.name, timing.NewTimeline())
		if err != nil {
			t.Fatal(err)
		}
		err = c.Wait()
		for _, w := range tt.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v lacks %q", tt.name, err, w)
			}
		}
	}
}

func TestCancelKillsChild(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := Start(ctx, "hang", timing.NewTimeline())
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	cancel()
	if err := c.Wait(); err == nil {
		t.Error("a killed child reported success")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Wait took %v after cancel", d)
	}
	if err := syscall.Kill(c.PID, 0); err == nil {
		t.Errorf("child %d still exists", c.PID)
	}
}
