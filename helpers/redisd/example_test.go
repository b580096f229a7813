package redisd_test

import (
	"context"
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/redisd"
	"github.com/redis/go-redis/v9"
)

// A cell starts a server, uses it, and closes it. Embedded is set here so
// that the example runs anywhere; a lesson leaves it unset to get the real
// redis-server where there is one, and prints s.Kind() to say which.
func ExampleStart() {
	s, err := redisd.Start(context.Background(), redisd.Options{Embedded: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	// Addr is a URL with the server's password in it.
	opts, err := redis.ParseURL(s.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	rdb.Set(ctx, "dish", "soup", 0)
	dish, err := rdb.Get(ctx, "dish").Result()
	fmt.Println(s.Embedded(), dish, err)
	// Output: true soup <nil>
}
