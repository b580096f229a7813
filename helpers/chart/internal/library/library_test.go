package library

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestPath(t *testing.T) {
	tests := []struct {
		name    string
		env     string // Env's value; "" for the set-up's library
		wantErr string // what the error says, or "" for none
		suffix  string // how the path ends, without an error
	}{
		{"a missing file named by the variable", filepath.Join(t.TempDir(), "missing.js"), Env, ""},
		{"the set-up's library", "", "", Rel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(Env, tt.env)
			p, err := Path()
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Path() = %q, %v: want an error that names %s", p, err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("the set-up's library was not found: %v", err)
			case !strings.HasSuffix(p, tt.suffix):
				t.Errorf("Path() = %s, want a path ending in %s", p, tt.suffix)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, lib, wantErr string
	}{
		{"the right version", write("right.js", `var version="`+Version+`";`), ""},
		{"a wrong version", write("wrong.js", `var version="4.0.0";`), "is not ECharts " + Version},
		{"no file", filepath.Join(dir, "none.js"), Env},
	}
	t.Cleanup(func() { load = sync.OnceValues(read) })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(Env, tt.lib)
			load = sync.OnceValues(read)
			lib, err := Load()
			if tt.wantErr == "" {
				if err != nil || !strings.Contains(lib, Version) {
					t.Errorf("Load() = %.40q, %v", lib, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Load() gave %v, want an error that says %q", err, tt.wantErr)
			}
		})
	}
}

func TestServed(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(ServedRel)), 0o755); err != nil {
		t.Fatal(err)
	}
	beside := filepath.Join(dir, ServedRel)
	if err := os.WriteFile(beside, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if p, err := Served(); err != nil || p != beside {
		t.Errorf("Served() = %q, %v, want the copy beside the notebook, %s", p, err, beside)
	}
}
