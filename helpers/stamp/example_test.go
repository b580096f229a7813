package stamp_test

import (
	"fmt"
	"strings"

	"github.com/concurrency-kitchen/course/helpers/stamp"
)

func ExampleRead() {
	s, err := stamp.Read()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.HasPrefix(s.String(), "go"), s.NumCPU > 0)
	// Output: true true
}
