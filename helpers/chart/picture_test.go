package chart

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

func TestPictureURL(t *testing.T) {
	tests := []struct {
		name, svg, want string
	}{
		{"attributes only a live chart reads are dropped",
			`<path d="M1 2" class="zr0-cls-0" pointer-events="visible" ecmeta_series_index="0"></path>`,
			`data:image/svg+xml,%3Cpath d='M1 2'%3E%3C/path%3E`},
		{"coordinates keep one decimal, text keeps its own",
			`<path d="M115.5432 70.25L1.0001 2"/><text x="3.14159">1.234 units</text>`,
			`data:image/svg+xml,%3Cpath d='M115.5 70.2L1.0 2'/%3E%3Ctext x='3.1'%3E1.234 units%3C/text%3E`},
		{"what a URL or an attribute cannot hold is escaped",
			"<text clip-path=\"url(#c1)\">50% & 'x'\n</text>",
			`data:image/svg+xml,%3Ctext clip-path='url(%23c1)'%3E50%25 %26 %27x%27%0A%3C/text%3E`},
		{"styles become classes, one per distinct set, a style after the attributes",
			`<svg width="9"><text fill="#333" style="font-size:12px;" xml:space="preserve" y="6">a</text>` +
				`<path d="M1 2" fill="none"/><text fill="#333" style="font-size:12px;" xml:space="preserve">b</text></svg>`,
			`data:image/svg+xml,%3Csvg width='9'%3E%3Cstyle%3E.k0{fill:%23333;white-space:pre;font-size:12px}.k1{fill:none}%3C/style%3E` +
				`%3Ctext y='6' class='k0'%3Ea%3C/text%3E%3Cpath d='M1 2' class='k1'/%3E%3Ctext class='k0'%3Eb%3C/text%3E%3C/svg%3E`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pictureURL(tt.svg); got != tt.want {
				t.Errorf("pictureURL(%q)\n got %s\nwant %s", tt.svg, got, tt.want)
			}
		})
	}
}

func TestPrivate(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "mine")
	if err := private(mine); err != nil {
		t.Fatalf("a new directory: %v", err)
	}
	if fi, _ := os.Stat(mine); fi.Mode().Perm() != 0o700 {
		t.Errorf("made with mode %v, want 0700", fi.Mode().Perm())
	}
	open := filepath.Join(dir, "open")
	if err := os.Mkdir(open, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := private(open); err == nil {
		t.Error("a directory others can enter was accepted")
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := private(file); err == nil {
		t.Error("a file was accepted as the directory")
	}
}

// TestRenderer starts a renderer for a stand-in kernel (a sleep process),
// draws two pictures with it, and checks that it ends, socket and
// directory gone, when the stand-in does.
func TestRenderer(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("Node.js is not installed: the pictures are not drawn without it")
	}
	lib, err := LibraryPath()
	if err != nil {
		t.Skip(err)
	}
	kernel := exec.Command("sleep", "60")
	if err := kernel.Start(); err != nil {
		t.Fatal(err)
	}
	defer kernel.Process.Kill()
	// A short directory: a unix socket's path holds at most about 100 bytes.
	dir, err := os.MkdirTemp("", "ck-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	r := &renderer{dir: filepath.Join(dir, "charts"), kernel: kernel.Process.Pid,
		lib: func() string { return lib }, start: 20 * time.Second, reply: 20 * time.Second}

	spans := []timing.Span{
		{Lane: "cook", Task: "chop", Start: 0, End: timing.Units(2)},
		{Lane: "waiter", Task: "carry", Start: timing.Units(1), End: timing.Units(3)},
	}
	for i, c := range []*Chart{Gantt("dinner", spans), Bars("speed-up", "x", []string{"a", "b"}, Series{Name: "run", Values: []float64{1, 2}})} {
		started := time.Now()
		svg, err := r.render(c.Option(), pictureWidth, c.height)
		if err != nil {
			t.Fatalf("chart %d: %v", i, err)
		}
		t.Logf("chart %d: %d bytes of SVG in %v", i, len(svg), time.Since(started).Round(time.Millisecond))
		if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, c.Title()) || strings.Contains(svg, "NaN") {
			t.Errorf("chart %d: not an SVG with the title %q and no NaN: %.200s", i, c.Title(), svg)
		}
	}
	if i := strings.Index(mustRender(t, r, Gantt("dinner", spans)), "waiter"); i < 0 {
		t.Error("the Gantt picture has no lane named waiter")
	}
	if _, err := r.render("{series: [{type: 'nonsense'}]", 100, 100); err == nil {
		t.Error("a broken option drew a picture")
	}

	kernel.Process.Kill()
	kernel.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, statErr := os.Stat(r.socket())
		c, dialErr := net.Dial("unix", r.socket())
		if dialErr == nil {
			c.Close()
		}
		if os.IsNotExist(statErr) && dialErr != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the renderer still listens 10 s after its kernel ended")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(r.dir); !os.IsNotExist(err) {
		t.Errorf("the renderer left its directory: %v", err)
	}
}

func mustRender(t *testing.T, r *renderer, c *Chart) string {
	t.Helper()
	svg, err := r.render(c.Option(), pictureWidth, c.height)
	if err != nil {
		t.Fatal(err)
	}
	return svg
}

func TestShortOutline(t *testing.T) {
	tests := []struct{ d, want string }{
		{"M177.8 88.9l1 0l0 26.7l-1 0Z", "M177.8 88.9h1v26.7h-1Z"},
		{"M1 2l3 4L5 0l10 0", "M1 2l3 4L5 0h10"},
		{"M1 2l0 -3.5l2.25 0", "M1 2v-3.5h2.25"},
		{"M1 2l3 0.5", "M1 2l3 0.5"},
	}
	for _, tt := range tests {
		if got := shortOutline(tt.d); got != tt.want {
			t.Errorf("shortOutline(%q) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestMergePaths(t *testing.T) {
	tests := []struct{ name, svg, want string }{
		{"a run of one class becomes one path",
			`<path d="M1 1l2 0Z" class="k1"></path><path d="M5 1l2 0Z" class="k1"></path><path d="M9 1l2 0Z" class="k1"/>`,
			`<path d="M1 1l2 0ZM5 1l2 0ZM9 1l2 0Z" class="k1"/>`},
		{"one path per class of the run, in the order the classes came",
			`<path d="M1 1Z" class="k1"></path><path d="M2 2Z" class="k2"></path><path d="M3 3Z" class="k2"></path><path d="M4 4Z" class="k1"></path>`,
			`<path d="M1 1ZM4 4Z" class="k1"/><path d="M2 2ZM3 3Z" class="k2"/>`},
		{"anything between two paths keeps them apart",
			`<path d="M1 1Z" class="k1"></path><text class="k3">x</text><path d="M2 2Z" class="k1"></path>`,
			`<path d="M1 1Z" class="k1"></path><text class="k3">x</text><path d="M2 2Z" class="k1"></path>`},
		{"a path with more attributes is left alone",
			`<path d="M1 1Z" class="k1"></path><path d="M2 2Z" transform="scale(2)" class="k1"></path>`,
			`<path d="M1 1Z" class="k1"></path><path d="M2 2Z" transform="scale(2)" class="k1"></path>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mergePaths(tt.svg); got != tt.want {
				t.Errorf("mergePaths\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
