package jobs_test

import (
	"context"
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/jobs"
	"github.com/concurrency-kitchen/course/helpers/redisd"
)

// square is a job's function, typed: its argument is decoded from JSON.
var square = jobs.Typed(func(_ context.Context, n int) (int, error) { return n * n, nil })

// cook is a worker that can square numbers.
func cook(addr string) jobs.Worker {
	return jobs.Worker{Addr: addr, Queue: "kitchen", Name: "cook", Handlers: map[string]jobs.Handler{"square": square}}
}

// A queue with one worker goroutine: enqueue, wait, read the results.
// (Embedded is set so that the example runs anywhere.)
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := redisd.Start(context.Background(), redisd.Options{Embedded: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	stopped := make(chan error)
	go func() {
		stopped <- cook(srv.Addr()).Run(ctx)
	}()

	q, err := jobs.Open(ctx, srv.Addr(), "kitchen", jobs.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer q.Close()
	var ids []string
	for n := 1; n <= 3; n++ {
		id, _ := q.Enqueue(ctx, "square", n)
		ids = append(ids, id)
	}
	done, err := q.Wait(ctx, ids...)
	for _, j := range done {
		fmt.Printf("job %s: square(%s) = %s, %s by %s\n", j.ID, j.Arg, j.Result, j.State, j.Worker)
	}
	fmt.Println(err)
	cancel()
	<-stopped
	// Output:
	// job 1: square(1) = 1, finished by cook
	// job 2: square(2) = 4, finished by cook
	// job 3: square(3) = 9, finished by cook
	// <nil>
}

// Worker processes stand for machines. The program registers the worker's
// Main first thing (in a notebook cell, first thing in the cell; here the
// package's TestMain does it):
//
//	machine := jobs.Worker{Handlers: handlers, Options: jobs.Options{Log: os.Stdout}}
//	proc.Serve(map[string]proc.ChildFunc{jobs.Role: machine.Main})
//
// then starts workers with the server's address, the queue's name and
// their names. They are killed when ctx is done.
func ExampleWorker_Start() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := redisd.Start(context.Background(), redisd.Options{Embedded: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	for _, name := range []string{"w1", "w2"} {
		w, err := jobs.Worker{Addr: srv.Addr(), Queue: "kitchen", Name: name}.Start(ctx, nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer w.Wait()
	}

	q, err := jobs.Open(ctx, srv.Addr(), "kitchen", jobs.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer q.Close()
	a, _ := q.Enqueue(ctx, "square", 12)
	b, _ := q.Enqueue(ctx, "no_such_function", 0)
	done, err := q.Wait(ctx, a, b)
	fmt.Println(done[0].State, string(done[0].Result), err)
	fmt.Println(done[1].State)
	cancel()
	// Output:
	// finished 144 <nil>
	// failed
}

// Table shows a queue's jobs the way a lesson prints them. (kitchen, in
// this file, starts the server and a cook as Example does.)
func ExampleTable() {
	q, stop, err := kitchen()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	ctx := context.Background()
	a, _ := q.Enqueue(ctx, "square", 5)
	b, _ := q.Enqueue(ctx, "bake", "bread")
	q.Wait(ctx, a, b)
	all, err := q.Jobs(ctx)
	fmt.Print(jobs.Table(all))
	fmt.Println(err)
	// Output:
	// ID  FUNC    ARG      STATE     RESULT                                                             WORKER  ATTEMPTS  LOST
	// 1   square  5        finished  25                                                                 cook    1         -
	// 2   bake    "bread"  failed    error: worker cook has no function named "bake" (it has "square")  cook    1         -
	// <nil>
}

// kitchen starts an embedded Redis server and the cook in a goroutine, and
// opens the queue; stop ends them.
func kitchen() (q *jobs.Queue, stop func(), err error) {
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := redisd.Start(ctx, redisd.Options{Embedded: true})
	if err != nil {
		cancel()
		return nil, nil, err
	}
	stopped := make(chan error)
	go func() { stopped <- cook(srv.Addr()).Run(ctx) }()
	q, err = jobs.Open(ctx, srv.Addr(), "kitchen", jobs.Options{})
	stop = func() {
		if q != nil {
			q.Close()
		}
		cancel()
		<-stopped
		srv.Close()
	}
	if err != nil {
		stop()
		return nil, nil, err
	}
	return q, stop, nil
}
