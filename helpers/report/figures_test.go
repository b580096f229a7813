package report

import "testing"

func TestFigures(t *testing.T) {
	tests := []struct {
		xs           []float64
		text         string
		median, mean float64
	}{
		{nil, "", 0, 0},
		{[]float64{7}, "7.00", 7, 7},
		{[]float64{9.04, 6.05, 7.026}, "9.04, 6.05, 7.03", 7.026, 22.116 / 3},
		{[]float64{9, 8, 6, 7}, "9.00, 8.00, 6.00, 7.00", 7.5, 7.5},
	}
	for _, tt := range tests {
		if got := Figures(tt.xs); got != tt.text {
			t.Errorf("Figures(%v) = %q, want %q", tt.xs, got, tt.text)
		}
		if got := Median(tt.xs); got != tt.median {
			t.Errorf("Median(%v) = %v, want %v", tt.xs, got, tt.median)
		}
		if got := Mean(tt.xs); got < tt.mean-1e-9 || got > tt.mean+1e-9 {
			t.Errorf("Mean(%v) = %v, want %v", tt.xs, got, tt.mean)
		}
	}
}
