// Package round rounds the course's figures for what a person reads: run
// records, chart data and labels.
package round

import "math"

// To rounds x to the given number of decimal places, halves away from
// zero: To(2.3456, 2) is 2.35, To(-1.7, 3) is -1.7.
func To(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
