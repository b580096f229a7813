// Package lastlines keeps the last lines written to it: the end of a child
// process's output or log, for an error message that says why it failed.
package lastlines

import (
	"strings"
	"sync"
)

// A Writer keeps the last Max lines written to it, and the line being
// written. It is safe for use by many goroutines.
type Writer struct {
	Max int

	mu    sync.Mutex
	lines []string
	part  string // the last line, not yet ended by a newline
}

// Write keeps b's lines, dropping the oldest beyond Max. It never fails.
func (w *Writer) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	parts := strings.Split(w.part+string(b), "\n")
	w.part = parts[len(parts)-1]
	w.lines = append(w.lines, parts[:len(parts)-1]...)
	if len(w.lines) > w.Max {
		w.lines = w.lines[len(w.lines)-w.Max:]
	}
	return len(b), nil
}

// Suffix returns the kept lines for the end of an error message, after
// intro, as in "; its last output:\n  line\n  line", or "" when nothing was
// written.
func (w *Writer) Suffix(intro string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	lines := w.lines
	if w.part != "" {
		lines = append(lines[:len(lines):len(lines)], w.part)
	}
	if len(lines) == 0 {
		return ""
	}
	return "; " + intro + ":\n  " + strings.Join(lines, "\n  ")
}
