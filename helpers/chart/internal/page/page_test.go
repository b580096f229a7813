package page

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

func TestFragment(t *testing.T) {
	tests := []struct {
		name          string
		title, option string
		picture       string
		wants         []string
	}{
		{name: "a chart", title: "Dinner", option: `{"a":1}`,
			wants: []string{`class="ck-chart" data-title="Dinner"`, "height:300px", `option = {"a":1}`, MissingLibrary}},
		{name: "a picture until the chart draws", title: "Dinner", option: `{}`, picture: "data:image/svg+xml,%3Csvg/%3E",
			wants: []string{`<img class="ck-picture" src="data:image/svg+xml,%3Csvg/%3E" alt="Dinner"`}},
		{name: "a title is escaped in the attributes", title: `"a" & <b>`, option: `{}`, picture: "data:,",
			wants: []string{`data-title="&#34;a&#34; &amp; &lt;b&gt;"`, `alt="&#34;a&#34; &amp; &lt;b&gt;"`}},
		{name: "a </script> in the option does not end the script", title: "x", option: `{"name":"</script><script>alert(1)</SCRIPT>"}`,
			wants: []string{`<\/script><script>alert(1)<\/SCRIPT>`}},
		{name: "a repeated function is named once", title: "x", option: `[function (a) {1},function (a) {1}]`,
			wants: []string{"var ckFn0 = function (a) {1};", "option = [ckFn0,ckFn0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fragment(tt.title, 300, tt.option, tt.picture)
			for _, w := range tt.wants {
				if !strings.Contains(got, w) {
					t.Errorf("fragment lacks %s:\n%s", w, got)
				}
			}
			if strings.Contains(got, "<img") != (tt.picture != "") {
				t.Errorf("fragment has a picture: %v, want one: %v", strings.Contains(got, "<img"), tt.picture != "")
			}
			if n := strings.Count(strings.ToLower(got), "</script"); n != 1 {
				t.Errorf("fragment has %d </script, want exactly its own closing tag", n)
			}
		})
	}
}

func TestFragmentIDsAreUnique(t *testing.T) {
	id := regexp.MustCompile(`id="(ck_[0-9a-f]{16})"`)
	a, b := id.FindStringSubmatch(Fragment("x", 1, "{}", "")), id.FindStringSubmatch(Fragment("x", 1, "{}", ""))
	if a == nil || b == nil || a[1] == b[1] {
		t.Errorf("ids %v and %v: want two different ck_ ids", a, b)
	}
}

func TestDocument(t *testing.T) {
	tests := []struct{ name, title, want string }{
		{"a title", "Dinner", "<title>Dinner</title>"},
		{"a title to escape", `a & "b" <c>`, "<title>a &amp; &quot;b&quot; &lt;c&gt;</title>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Document(tt.title, "<script>L</script>", "<div>F</div>")
			for _, w := range []string{"<!DOCTYPE html>", tt.want, "<body>\n<script>L</script>\n<div>F</div>\n</body></html>\n"} {
				if !strings.Contains(got, w) {
					t.Errorf("document lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestInline runs the inline loader in Node.js with a stand-in library,
// as a page with RequireJS would (define present), and checks that it
// defines window.echarts once.
func TestInline(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("Node.js is not installed")
	}
	tests := []struct{ name, before, want string }{
		{"a page without the library", "", "loaded once"},
		{"a page that has it already", "window.echarts = 'old';", "old"},
	}
	lib := `if (typeof define === 'function') { throw new Error('define is visible'); }
window.echarts = (window.echarts || '') + 'loaded once'; // "</script>" in the library`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := strings.TrimSuffix(strings.TrimPrefix(Inline(lib), "<script>\n"), "</script>")
			if strings.Count(strings.ToLower(script), "</script") != 0 {
				t.Fatalf("the library's </script> is not escaped: %s", script)
			}
			prog := "var window = globalThis; function define() {} define.amd = true;\n" + tt.before + "\n" + script +
				"\nconsole.log(window.echarts);"
			out, err := exec.Command(node, "-e", prog).CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tt.want {
				t.Errorf("window.echarts = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFromJupyter runs the loader's script in Node.js against a stand-in
// of a Jupyter page and reads which file it asks the server for.
func TestFromJupyter(t *testing.T) {
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
			script := strings.TrimSuffix(strings.TrimPrefix(FromJupyter(tt.lib), "<script>\n"), "</script>")
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
