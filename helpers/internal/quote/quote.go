// Package quote formats lists of names for error messages, the same way
// in every helper: "a", "b", or none.
package quote

import (
	"strconv"
	"strings"
)

// Names returns names quoted and separated by commas, in the order given,
// or "none" when there are none.
func Names(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
