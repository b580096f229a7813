package courseroot

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDir(t *testing.T) {
	t.Setenv(Env, "")
	d, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(d, "helpers", "internal", "courseroot")); err != nil {
		t.Errorf("Dir() = %s, not the checkout", d)
	}
	t.Setenv(Env, d)
	if got, err := Dir(); err != nil || got != d {
		t.Errorf("with %s set: %s, %v", Env, got, err)
	}
	t.Setenv(Env, t.TempDir())
	if _, err := Dir(); err == nil {
		t.Error("a folder that is not the checkout was accepted")
	}
}
