package chart

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPageLoader runs the loader's script in Node.js against a stand-in of
// a Jupyter page and reads which file it asks the server for.
func TestPageLoader(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("Node.js is not installed")
	}
	t.Setenv("HOME", "/home/cook")
	tests := []struct {
		name, root, base, lib, want string
	}{
		{"make lab: the server's root is the notebooks' folder", "/srv/course/notebooks", "/",
			"/srv/course/notebooks/assets/echarts.min.js", "/files/assets/echarts.min.js"},
		{"the image and Binder: the root is the home, written with ~ by the server", "~", "/user/ck/",
			"/home/cook/notebooks/assets/echarts.min.js", "/user/ck/files/notebooks/assets/echarts.min.js"},
		{"the root written in full", "/home/cook", "/",
			"/home/cook/notebooks/assets/echarts.min.js", "/files/notebooks/assets/echarts.min.js"},
		{"a root with a trailing slash, a name to encode", "/srv/my course/", "/",
			"/srv/my course/note books/assets/echarts.min.js", "/files/note%20books/assets/echarts.min.js"},
		{"the server's root is /", "/", "/", "/srv/c/echarts.min.js", "/files/srv/c/echarts.min.js"},
		{"the library outside the server's root: nothing asked", "/srv/other", "/",
			"/srv/course/notebooks/assets/echarts.min.js", "none"},
		{"no root in the page", "", "/", "/srv/course/notebooks/assets/echarts.min.js", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := strings.TrimSuffix(strings.TrimPrefix(pageLoader(tt.lib), "<script>\n"), "</script>")
			page := `var added = [];
var config = {serverRoot: process.argv[1], baseUrl: process.argv[2]};
var window = {};
var document = {
  getElementById: function (id) { return id === 'jupyter-config-data' ? {textContent: JSON.stringify(config)} : null; },
  createElement: function () { return {}; },
  head: {appendChild: function (s) { added.push(s.src); }}
};
` + script + `
console.log(added.length ? added.join(' ') : 'none');`
			out, err := exec.Command(node, "-e", page, tt.root, tt.base).CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tt.want {
				t.Errorf("loaded %q, want %q", got, tt.want)
			}
		})
	}
}
