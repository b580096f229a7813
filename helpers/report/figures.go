package report

import (
	"fmt"
	"slices"
	"strings"
)

// Figures formats the measurements of several runs for a printout: each to
// two decimals, in the order given, as in "6.05, 7.02, 7.03".
func Figures(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(parts, ", ")
}

// Median returns the middle of xs (the mean of the two middle values for
// an even count): what most runs did, unmoved by one slow run. It returns 0
// for no values.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}

// Mean returns the average of xs, or 0 for no values.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}
