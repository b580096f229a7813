package jobs

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkThroughput sends batches of 100 trivial jobs through a queue
// with one worker goroutine in this process: enqueue, run, wait. It
// reports jobs per second against each kind of server.
func BenchmarkThroughput(b *testing.B) {
	const batch = 100
	for _, k := range kinds {
		b.Run(k.name, func(b *testing.B) {
			srv := startServer(b, k.embedded)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			q, err := Open(ctx, srv.Addr(), "bench", Options{Heartbeat: testBeat})
			if err != nil {
				b.Fatal(err)
			}
			defer q.Close()
			errc := make(chan error, 1)
			w := Worker{Addr: srv.Addr(), Queue: q.Name(), Name: "w", Handlers: testHandlers, Options: Options{Heartbeat: testBeat}}
			go func() { errc <- w.Run(ctx) }()
			ids := make([]string, batch)
			for b.Loop() {
				for i := range ids {
					if ids[i], err = q.Enqueue(ctx, "square", i); err != nil {
						b.Fatal(err)
					}
				}
				got, err := q.Wait(ctx, ids...)
				if err != nil {
					b.Fatal(err)
				}
				if got[batch-1].State != StateFinished || string(got[batch-1].Result) != fmt.Sprint((batch-1)*(batch-1)) {
					b.Fatalf("last job: %+v", got[batch-1])
				}
			}
			b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "jobs/s")
			b.ReportMetric(0, "ns/op") // an op is a batch: jobs/s says it better
			cancel()
			if err := <-errc; err != nil {
				b.Fatal(err)
			}
		})
	}
}
