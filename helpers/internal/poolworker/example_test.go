package poolworker_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/concurrency-kitchen/course/helpers/internal/poolworker"
	"github.com/concurrency-kitchen/course/helpers/internal/wire"
)

// Work is a worker's loop; here it runs in a goroutine, with a registry of
// its own, and the pipes of a worker process are in-memory pipes.
func ExampleWork() {
	var reg poolworker.Registry
	reg.Add("shout", func(_ context.Context, arg []byte) ([]byte, error) {
		return []byte(strings.ToUpper(string(arg)) + "!"), nil
	})
	reqR, reqW := io.Pipe()
	respR, respW := io.Pipe()
	go poolworker.Work(context.Background(), &reg, poolworker.Conn{Requests: reqR, Responses: respW, Max: 1 << 20})

	ready, _ := wire.Read(respR, 1<<20)
	fmt.Println("ready:", ready.ID == wire.Ready)
	wire.Write(reqW, wire.Frame{ID: 1, Name: "shout", Items: [][]byte{[]byte("order up")}}, 1<<20)
	resp, _ := wire.Read(respR, 1<<20)
	fmt.Printf("%d: %s\n", resp.ID, resp.Items[0])
	reqW.Close()
	// Output:
	// ready: true
	// 1: ORDER UP!
}
