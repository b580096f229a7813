package costs

import (
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/concurrency-kitchen/course/helpers/proc"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// PingPong sends a value back and forth between two goroutines over unbuffered channels, n round
// trips; with lock, both goroutines lock themselves to OS threads first, so that every hand-off
// wakes another thread through the kernel. It returns the time per hand-off: half a round trip.
func PingPong(n int, lock bool) time.Duration {
	ping, pong := make(chan int), make(chan int)
	go func() {
		if lock {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
		}
		for v := range ping {
			pong <- v
		}
	}()
	result := make(chan time.Duration)
	go func() {
		if lock {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
		}
		sw := timing.Start()
		for i := range n {
			ping <- i
			<-pong
		}
		elapsed := sw.Elapsed()
		close(ping)
		result <- elapsed / time.Duration(2*n)
	}()
	return <-result
}

// echoBytes is the Echo child's part: it reads one byte from its first file and writes it back
// on its second, until the parent closes its end.
func echoBytes() {
	in, out := proc.File(0), proc.File(1)
	if in == nil || out == nil {
		os.Exit(3)
	}
	b := make([]byte, 1)
	for {
		if _, err := in.Read(b); err != nil {
			return
		}
		if _, err := out.Write(b); err != nil {
			os.Exit(1)
		}
	}
}

// PipePingPong starts this program again as an Echo child, sends it one byte and reads it back,
// n times, and returns the best of three such runs, per hand-off (half a round trip).
func PipePingPong(ctx context.Context, n int) (time.Duration, error) {
	childIn, toChild, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	fromChild, childOut, err := os.Pipe()
	if err != nil {
		childIn.Close()
		toChild.Close()
		return 0, err
	}
	child, err := proc.StartWith(ctx, Echo, timing.NewTimeline(), proc.StartOptions{Files: []*os.File{childIn, childOut}})
	childIn.Close() // the child has its own copies now
	childOut.Close()
	if err != nil {
		toChild.Close()
		fromChild.Close()
		return 0, err
	}
	b := []byte{0}
	roundTrip := func() error {
		if _, err := toChild.Write(b); err != nil {
			return err
		}
		_, err := io.ReadFull(fromChild, b)
		return err
	}
	var failed error
	for range 100 { // the child is started and warm
		if failed = roundTrip(); failed != nil {
			break
		}
	}
	d := Best(func() time.Duration {
		sw := timing.Start()
		for range n {
			if failed != nil {
				break
			}
			failed = roundTrip()
		}
		return sw.Elapsed() / time.Duration(2*n)
	})
	toChild.Close() // the child reads the end of the file and exits
	failed = errors.Join(failed, child.Wait())
	fromChild.Close()
	return d, failed
}
