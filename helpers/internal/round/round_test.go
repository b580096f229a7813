package round

import (
	"fmt"
	"testing"
)

func TestTo(t *testing.T) {
	tests := []struct {
		x      float64
		places int
		want   float64
	}{
		{2.3456, 2, 2.35},
		{2.3449, 2, 2.34},
		{13.0149, 2, 13.01},
		{0.0004, 3, 0},
		{0.0005, 3, 0.001},
		{-1.7, 3, -1.7},
		{-0.0005, 3, -0.001},
		{0.00421, 5, 0.00421},
		{1234.5, 0, 1235},
		{0, 4, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v to %d", tt.x, tt.places), func(t *testing.T) {
			if got := To(tt.x, tt.places); got != tt.want {
				t.Errorf("To(%v, %d) = %v, want %v", tt.x, tt.places, got, tt.want)
			}
		})
	}
}
