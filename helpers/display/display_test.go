package display

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Synchronous dinner", "synchronous-dinner"},
		{"01-dinner / GIL: salad first", "01-dinner-gil-salad-first"},
		{"../../etc/passwd", "etc-passwd"},
		{"", "output"},
		{"***", "output"},
		{"v1.2_x", "v1.2_x"},
	}
	for _, tt := range tests {
		t.Run(tt.want+" from "+tt.in, func(t *testing.T) {
			if got := FileName(tt.in); got != tt.want {
				t.Errorf("FileName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFilesSink(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	f := Files{Dir: dir}
	where, err := f.HTML("My chart", "<div></div>", func() (string, error) { return "<html>page</html>", nil })
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(where); string(b) != "<html>page</html>" || filepath.Base(where) != "my-chart.html" {
		t.Errorf("HTML wrote %q to %s", b, where)
	}
	tests := []struct{ mime, file string }{
		{"application/vnd.concurrency-kitchen.run+json", "rec.json"},
		{"application/json", "rec.json"},
		{"text/plain", "rec.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.mime, func(t *testing.T) {
			where, err := f.Data("rec", tt.mime, []byte("{}"))
			if err != nil || filepath.Base(where) != tt.file {
				t.Errorf("Data(%s) went to %s, %v; want %s", tt.mime, where, err, tt.file)
			}
		})
	}
}

func TestFilesSinkBadDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := (Files{Dir: file}).Data("x", "text/plain", nil); err == nil {
		t.Error("writing under a file succeeded")
	}
}

func TestUseRestores(t *testing.T) {
	rec := &Recorder{}
	restore := Use(rec)
	if Current() != rec {
		t.Fatal("Use did not set the sink")
	}
	Current().Data("a", "text/plain", []byte("x"))
	restore()
	if _, ok := Current().(*Recorder); ok {
		t.Error("restore left the recorder in place")
	}
	if got := rec.Of("text/plain"); len(got) != 1 || got[0].Body != "x" {
		t.Errorf("Recorder kept %+v", got)
	}
}

func TestDefaultOutsideNotebook(t *testing.T) {
	t.Setenv(OutputDirEnv, "/tmp/somewhere")
	if got, ok := Default().(Files); !ok || got.Dir != "/tmp/somewhere" {
		t.Errorf("Default() = %#v outside a notebook", Default())
	}
}
