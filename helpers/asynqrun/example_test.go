package asynqrun_test

import (
	"context"
	"fmt"
	"time"

	"github.com/concurrency-kitchen/course/helpers/asynqrun"
	"github.com/concurrency-kitchen/course/helpers/redisd"
	"github.com/hibiken/asynq"
)

// A server runs a task and writes its result; the client enqueues the
// task with Retention, so that Redis keeps the result, and Wait reads it.
// In a lesson the server runs in a worker process (FromEnv gives it the
// options and its name), and redisd.Options is left empty, to get the
// real redis-server on its unix socket where there is one.
func Example() {
	ctx := context.Background()
	redis, err := redisd.Start(ctx, redisd.Options{Embedded: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer redis.Close()
	opt, err := asynqrun.Opt(redis.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}

	mux := asynq.NewServeMux()
	mux.HandleFunc("shout", func(ctx context.Context, t *asynq.Task) error {
		_, err := fmt.Fprintf(t.ResultWriter(), "%s!", t.Payload())
		return err
	})
	srv := asynq.NewServer(opt, asynqrun.Config(1))
	if err := srv.Start(mux); err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown()

	client, insp := asynq.NewClient(opt), asynq.NewInspector(opt)
	defer client.Close()
	defer insp.Close()
	info, err := client.EnqueueContext(ctx, asynq.NewTask("shout", []byte("order up")), asynq.Retention(time.Minute))
	if err != nil {
		fmt.Println(err)
		return
	}
	done, err := asynqrun.Wait(ctx, insp, "default", info.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(done[0].State, string(done[0].Result))
	// Output: completed order up!
}
