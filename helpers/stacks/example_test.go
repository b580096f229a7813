package stacks_test

import (
	"fmt"
	"time"

	"github.com/concurrency-kitchen/course/helpers/stacks"
)

// A leak made and counted: the late senders of a "first answer wins" wait for ever.
func Example() {
	answers := make(chan int)
	for i := range 3 {
		go func() { answers <- i }()
	}
	<-answers
	left := stacks.Settle("github.com/concurrency-kitchen/course/helpers/stacks_test.Example.func1", 2, time.Second)
	fmt.Println(left, "senders left")
	// Output: 2 senders left
}
