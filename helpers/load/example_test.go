package load_test

import (
	"fmt"
	"time"

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

// A model of four processes that sleep 4 units adds what the machine adds: the processes'
// start-up, which the run measures, and under a container's CPU quota one period of it, the
// longest the kernel may hold the container up after the start-ups burst.
func ExampleThrottleDelay() {
	startup := 60 * time.Millisecond // as the run measured it
	model := 4*time.Second + startup + load.ThrottleDelay()
	fmt.Println("the model:", model) // 4.06s, or 4.16s in a container limited to one CPU of two
}
