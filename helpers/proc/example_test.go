package proc_test

import (
	"context"
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/proc"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// A program that starts children calls proc.Serve first thing in main,
// with the functions a child may run (here, the package's TestMain does,
// and has "greet"). The child's output comes back with its name in front,
// and its spans reach the parent's timeline.
func ExampleStart() {
	tl := timing.NewTimeline()
	child, err := proc.Start(context.Background(), "greet", tl)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := child.Wait(); err != nil {
		fmt.Println(err)
		return
	}
	var tasks []string
	for _, s := range tl.Spans() {
		tasks = append(tasks, s.Lane+": "+s.Task)
	}
	fmt.Println(tasks)
	// Output:
	// [greet] hello from a child process
	// [greet: process start-up greet: say hello]
}
