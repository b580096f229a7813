package lastlines

import (
	"fmt"
	"testing"
)

func TestWriter(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		writes []string
		want   string
	}{
		{"nothing written", 2, nil, ""},
		{"older lines dropped", 2, []string{"a\nb\nc\nd"}, "; out:\n  b\n  c\n  d"},
		{"a line in two writes", 2, []string{"a\nb", "c\n"}, "; out:\n  a\n  bc"},
		{"fewer lines than max", 3, []string{"one\n", "two\n"}, "; out:\n  one\n  two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &Writer{Max: tt.max}
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Errorf("Write(%q) = %d, %v", s, n, err)
				}
			}
			if got := w.Suffix("out"); got != tt.want {
				t.Errorf("max %d, writes %q: Suffix = %q, want %q", tt.max, tt.writes, got, tt.want)
			}
		})
	}
}

func ExampleWriter() {
	w := &Writer{Max: 2}
	fmt.Fprint(w, "starting\nlistening\npanic: out of memory\n")
	fmt.Println("the server died" + w.Suffix("its last log lines"))
	// Output:
	// the server died; its last log lines:
	//   listening
	//   panic: out of memory
}
