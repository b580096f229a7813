// Package display sends the course's rich output where a person can see
// it: into the notebook when the program runs in a GoNB cell, into files
// when it runs under go test or go run.
//
// Charts are HTML; run records are JSON with their own MIME type. Both go
// through the current Sink, which a test can swap with Use.
package display

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// A Sink receives the output of a cell or program.
type Sink interface {
	// HTML shows an HTML fragment. Sinks that write files call page for
	// a whole stand-alone document instead. It returns where the output
	// went: "notebook" or a file path.
	HTML(name, fragment string, page func() (string, error)) (where string, err error)

	// Data publishes machine-readable data of the given MIME type, which
	// a person need not see. It returns where the data went.
	Data(name, mime string, data []byte) (where string, err error)
}

// Notebook is the sink of a program run by GoNB: it displays in the cell.
// Each output waits until GoNB has it (gonbui.Sync): GoNB does not drain a
// program's display pipe after the program exits, and outputs sent just
// before the end of a cell were lost without it (measured with GoNB
// v0.11.5: 7 of 16 run records and the two charts after them, in one cell
// of lesson 01).
type Notebook struct{}

// HTML displays the fragment in the cell's output.
func (Notebook) HTML(_, fragment string, _ func() (string, error)) (string, error) {
	gonbui.DisplayHTML(fragment)
	gonbui.Sync()
	return "notebook", gonbui.Error()
}

// Data publishes data as a display item of the given MIME type with an
// empty HTML body, so the front end shows nothing for it.
func (Notebook) Data(_, mime string, data []byte) (string, error) {
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMEType(mime): string(data),
		protocol.MIMETextHTML:   "",
	}})
	gonbui.Sync()
	return "notebook", gonbui.Error()
}

// Files is the sink outside a notebook: every output is a file in Dir.
type Files struct {
	Dir string
}

// HTML writes the stand-alone page to Dir/name.html.
func (f Files) HTML(name, _ string, page func() (string, error)) (string, error) {
	doc, err := page()
	if err != nil {
		return "", err
	}
	return f.write(name, ".html", []byte(doc))
}

// Data writes data to Dir/name with an extension that follows the MIME
// type: ".json" for JSON types, ".txt" otherwise.
func (f Files) Data(name, mime string, data []byte) (string, error) {
	ext := ".txt"
	if strings.HasSuffix(mime, "json") {
		ext = ".json"
	}
	return f.write(name, ext, data)
}

func (f Files) write(name, ext string, data []byte) (string, error) {
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return "", fmt.Errorf("display: %w", err)
	}
	path := filepath.Join(f.Dir, FileName(name)+ext)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return "", fmt.Errorf("display: %w", err)
	}
	return path, nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// FileName turns a title into a file name: letters, digits, dots,
// dashes and underscores, with every other run of characters made one
// dash. An empty result becomes "output".
func FileName(title string) string {
	s := strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(title), "-"), "-.")
	if s == "" {
		return "output"
	}
	return s
}

// OutputDirEnv names the directory of the Files sink; the default is
// "course-output" in the working directory.
const OutputDirEnv = "COURSE_OUTPUT_DIR"

// Default returns the sink for this process: Notebook inside a GoNB
// cell, otherwise Files in $COURSE_OUTPUT_DIR or ./course-output.
func Default() Sink {
	if gonbui.IsNotebook {
		return Notebook{}
	}
	dir := os.Getenv(OutputDirEnv)
	if dir == "" {
		dir = "course-output"
	}
	return Files{Dir: dir}
}

var (
	mu      sync.Mutex
	current Sink
)

// Current returns the sink in use: the one set by Use, else Default().
func Current() Sink {
	mu.Lock()
	defer mu.Unlock()
	if current == nil {
		return Default()
	}
	return current
}

// Use makes s the current sink and returns a function that restores the
// previous one. Tests use it to capture output.
func Use(s Sink) (restore func()) {
	mu.Lock()
	defer mu.Unlock()
	prev := current
	current = s
	return func() {
		mu.Lock()
		defer mu.Unlock()
		current = prev
	}
}

// InNotebook reports whether the program runs in a GoNB cell.
func InNotebook() bool { return gonbui.IsNotebook }

// Recorder is a Sink that keeps everything in memory, for tests.
type Recorder struct {
	mu    sync.Mutex
	Items []Item
}

// An Item is one output kept by a Recorder.
type Item struct {
	Name, MIME string
	Body       string
}

// HTML keeps the fragment with MIME type "text/html".
func (r *Recorder) HTML(name, fragment string, _ func() (string, error)) (string, error) {
	return r.keep(name, "text/html", fragment)
}

// Data keeps the data.
func (r *Recorder) Data(name, mime string, data []byte) (string, error) {
	return r.keep(name, mime, string(data))
}

func (r *Recorder) keep(name, mime, body string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Items = append(r.Items, Item{Name: name, MIME: mime, Body: body})
	return "memory", nil
}

// Of returns the kept items of one MIME type.
func (r *Recorder) Of(mime string) []Item {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Item
	for _, it := range r.Items {
		if it.MIME == mime {
			out = append(out, it)
		}
	}
	return out
}
