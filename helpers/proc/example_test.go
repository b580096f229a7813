package proc_test

import (
	"context"
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/proc"
)

// cube runs in worker processes. Define it at package level, so that a
// worker, which is this program started again, registers it too.
var cube = proc.Define("cube", func(_ context.Context, n int) (int, error) { return n * n * n, nil })

// A program that starts workers calls proc.Serve first thing in main
// (here, the package's TestMain does); then it maps over a pool.
func ExampleMap() {
	pool, err := proc.NewPool(context.Background(), proc.PoolOptions{Workers: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	got, err := proc.Map(pool, cube, []int{1, 2, 3, 4}, 2)
	fmt.Println(got, err)
	// Output: [1 8 27 64] <nil>
}
