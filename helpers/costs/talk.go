package costs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/procpool"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// SendValues sends n numbers from one goroutine to another through a channel with room for 128,
// and returns the time per value.
func SendValues(n int) time.Duration {
	ch := make(chan int, 128)
	done := make(chan struct{})
	go func() {
		for range ch {
		}
		close(done)
	}()
	sw := timing.Start()
	for i := range n {
		ch <- i
	}
	close(ch)
	<-done
	return sw.Elapsed() / time.Duration(n)
}

// LockedAdds has two goroutines add one to a shared counter, n times in all, each time under a
// mutex, and returns the time per addition.
func LockedAdds(n int) time.Duration {
	var mu sync.Mutex
	count := 0
	sw := timing.Start()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for range n / 2 {
				mu.Lock()
				count++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if count != n/2*2 {
		panic("the mutex let an addition get lost")
	}
	return sw.Elapsed() / time.Duration(n)
}

// echoTask answers a worker process's task with its argument.
var echoTask = procpool.Define("costs: echo", func(_ context.Context, v int) (int, error) { return v, nil })

// RoundTrips sends n tasks, one after the other, to the one worker process of a pool and waits
// for each answer (the task and its answer are encoded with encoding/gob and cross pipes). It
// returns the best of three runs, per round trip.
func RoundTrips(ctx context.Context, n int) (time.Duration, error) {
	pool, err := procpool.New(ctx, procpool.Options{Workers: 1, Name: "echo"})
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	if _, err := procpool.Submit(ctx, pool, echoTask, 0).Wait(); err != nil { // the worker is up
		return 0, err
	}
	var failed error
	d := Best(func() time.Duration {
		sw := timing.Start()
		for i := range n {
			if v, err := procpool.Submit(ctx, pool, echoTask, i).Wait(); err != nil || v != i {
				failed = errors.Join(failed, err, fmt.Errorf("sent %d, got %d back", i, v))
				break
			}
		}
		return sw.Elapsed() / time.Duration(n)
	})
	return d, failed
}
