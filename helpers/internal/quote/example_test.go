package quote_test

import (
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/internal/quote"
)

func ExampleNames() {
	fmt.Printf("no function named %q (have %s)\n", "bake", quote.Names([]string{"boil", "chop"}))
	fmt.Printf("no function named %q (have %s)\n", "bake", quote.Names(nil))
	// Output:
	// no function named "bake" (have "boil", "chop")
	// no function named "bake" (have none)
}
