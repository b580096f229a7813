package load

import "fmt"

func sprintf(format string, v [2]int) string { return fmt.Sprintf(format, v[0], v[1]) }
