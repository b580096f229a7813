package picture

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/chart/internal/library"
)

func TestPrivate(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		make   func(p string) error // makes what is at the path first; nil for nothing
		wantOK bool
	}{
		{"a new directory is made, private", nil, true},
		{"a private directory", func(p string) error { return os.Mkdir(p, 0o700) }, true},
		{"a directory others can enter", func(p string) error { return os.Mkdir(p, 0o755) }, false},
		{"a file", func(p string) error { return os.WriteFile(p, nil, 0o600) }, false},
		{"a link to a private directory", func(p string) error {
			if err := os.Mkdir(p+".target", 0o700); err != nil {
				return err
			}
			return os.Symlink(p+".target", p)
		}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, string(rune('a'+i)))
			if tt.make != nil {
				if err := tt.make(p); err != nil {
					t.Fatal(err)
				}
			}
			err := private(p)
			if (err == nil) != tt.wantOK {
				t.Fatalf("private(%s) = %v, want it accepted: %v", p, err, tt.wantOK)
			}
			if fi, _ := os.Lstat(p); tt.wantOK && fi.Mode().Perm() != 0o700 {
				t.Errorf("mode %v, want 0700", fi.Mode().Perm())
			}
		})
	}
}

// A custom series drawn as the course's Gantt charts draw theirs: its
// renderItem calls echarts.graphic, which the renderer must provide.
const ganttOption = `{title: {text: 'dinner'}, xAxis: {type: 'value'},
yAxis: {type: 'category', data: ['cook', 'waiter'], inverse: true},
series: [{type: 'custom', encode: {x: [1, 2], y: 0}, data: [[0, 0, 2], [1, 1, 3]],
renderItem: function (params, api) {
var s = api.coord([api.value(1), api.value(0)]), e = api.coord([api.value(2), api.value(0)]);
var rect = echarts.graphic.clipRectByRect({x: s[0], y: s[1] - 5, width: e[0] - s[0], height: 10},
{x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height});
return rect && {type: 'rect', shape: rect, style: api.style()};
}}],
toolbox: {show: true, feature: {saveAsImage: {}}}, dataZoom: [{type: 'slider', show: true}]}`

const barsOption = `{title: {text: 'speed-up'}, xAxis: {type: 'category', data: ['a', 'b']},
yAxis: {type: 'value'}, series: [{type: 'bar', name: 'run', data: [1, 2]}]}`

// TestRenderer starts a renderer for a stand-in kernel (a sleep process),
// draws pictures with it, and checks that it ends, socket and directory
// gone, when the stand-in does.
func TestRenderer(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("Node.js is not installed: the pictures are not drawn without it")
	}
	lib, err := library.Path()
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
	r := &Renderer{Dir: filepath.Join(dir, "charts"), Kernel: kernel.Process.Pid,
		Lib: func() string { return lib }, Start: 20 * time.Second, Reply: 20 * time.Second}

	tests := []struct {
		name, option string
		wants        []string // in the SVG
		wantErr      bool
	}{
		{"a custom series", ganttOption, []string{"<svg", "dinner", "waiter"}, false},
		{"bars", barsOption, []string{"<svg", "speed-up"}, false},
		{"a broken option", "{series: [{type: 'nonsense'}]", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			started := time.Now()
			svg, err := r.Render(tt.option, Width, 300)
			if tt.wantErr {
				if err == nil {
					t.Errorf("a broken option drew a picture: %.200s", svg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d bytes of SVG in %v", len(svg), time.Since(started).Round(time.Millisecond))
			for _, w := range tt.wants {
				if !strings.Contains(svg, w) {
					t.Errorf("the SVG lacks %q: %.300s", w, svg)
				}
			}
			if strings.Contains(svg, "NaN") {
				t.Errorf("the SVG has a NaN: %.300s", svg)
			}
		})
	}

	kernel.Process.Kill()
	kernel.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, statErr := os.Stat(r.Socket())
		c, dialErr := net.Dial("unix", r.Socket())
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
	if _, err := os.Stat(r.Dir); !os.IsNotExist(err) {
		t.Errorf("the renderer left its directory: %v", err)
	}
}

func TestRendererWithoutLibrary(t *testing.T) {
	r := &Renderer{Dir: filepath.Join(t.TempDir(), "charts"), Kernel: os.Getpid(),
		Lib: func() string { return "" }, Start: time.Second, Reply: time.Second}
	if svg, err := r.Render(barsOption, Width, 300); err == nil || !strings.Contains(err.Error(), "no ECharts library") {
		t.Errorf("Render without a library = %.100q, %v", svg, err)
	}
}
