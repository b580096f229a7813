package procpool_test

import (
	"context"
	"fmt"
	"os"

	"github.com/concurrency-kitchen/course/helpers/procpool"
)

// Tasks run in worker processes. Define them at package level, so that a
// worker, which is this program started again, defines them too.
var (
	cube     = procpool.Define("cube", func(_ context.Context, n int) (int, error) { return n * n * n, nil })
	greeting = procpool.Define("greeting", func(_ context.Context, name string) (string, error) {
		return os.Getenv("GREETING") + ", " + name, nil
	})
)

// A program that starts workers calls proc.Serve first thing in main
// (here, the package's TestMain does); then it maps over a pool.
func ExampleMap() {
	ctx := context.Background()
	pool, err := procpool.New(ctx, procpool.Options{Workers: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	got, err := procpool.Map(ctx, pool, cube, []int{1, 2, 3, 4}, 2)
	fmt.Println(got, err)
	// Output: [1 8 27 64] <nil>
}

// Submit returns at once with a Future; Options.Env reaches the workers.
func ExampleSubmit() {
	ctx := context.Background()
	pool, err := procpool.New(ctx, procpool.Options{Workers: 1, Env: []string{"GREETING=hello"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	futures := []*procpool.Future[string]{
		procpool.Submit(ctx, pool, greeting, "pasta"),
		procpool.Submit(ctx, pool, greeting, "salad"),
	}
	for _, f := range futures {
		fmt.Println(f.Wait())
	}
	// Output:
	// hello, pasta <nil>
	// hello, salad <nil>
}
