package load_test

import (
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/load"
)

// A self-check of a speed-up judges it only when the machine was quiet enough.
func ExampleOthers() {
	others, err := load.Others(func() { /* the timed run */ })
	if err != nil || others > load.Busy {
		fmt.Println("not judged: other programs had the cores")
		return
	}
	fmt.Println("judged")
}

// A check of parallelism asks first whether this program can compute on two cores at once.
func ExampleCores() {
	if load.Cores() < 2 {
		fmt.Println("one core (GOMAXPROCS=1, taskset or a one-CPU quota): parallelism not judged")
		return
	}
	fmt.Println("judged")
}
