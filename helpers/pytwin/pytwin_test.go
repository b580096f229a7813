package pytwin

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	var got struct {
		Args   []string `json:"args"`
		Python string   `json:"python"`
		Stdin  string   `json:"stdin"`
	}
	if err := Run(context.Background(), "echo_args.py", &got, "a", "b c"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Args, "|") != "a|b c" || !strings.HasPrefix(got.Python, "3.") || got.Stdin != "" {
		t.Errorf("got %+v", got)
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		script string
		args   []string
		want   string
	}{
		{"echo_args.py", []string{"fail"}, "asked to fail"},
		{"echo_args.py", []string{"garbage"}, "printed no JSON"},
		{"no_such_twin.py", nil, "no such file"},
		{"../go.mod", nil, "is not the name of a script"},
		{"echo_args", nil, "is not the name of a script"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(append([]string{tt.script}, tt.args...), " "), func(t *testing.T) {
			var v any
			err := Run(context.Background(), tt.script, &v, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run(%s %v) = %v, want an error saying %q", tt.script, tt.args, err, tt.want)
			}
		})
	}
}

func TestRunIsCancelled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	var v any
	err := Run(ctx, "echo_args.py", &v, "sleep")
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("a cancelled twin returned %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a cancelled twin took %v", d)
	}
}
