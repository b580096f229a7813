package quote

import "testing"

func TestNames(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, "none"},
		{[]string{}, "none"},
		{[]string{"cook"}, `"cook"`},
		{[]string{"b", "a"}, `"b", "a"`},
		{[]string{`say "hi"`, ""}, `"say \"hi\"", ""`},
	}
	for _, tt := range tests {
		if got := Names(tt.in); got != tt.want {
			t.Errorf("Names(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
