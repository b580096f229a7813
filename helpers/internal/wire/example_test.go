package wire_test

import (
	"bytes"
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/internal/wire"
)

// A request and its response, as a pool and a worker exchange them.
func Example() {
	var pipe bytes.Buffer
	wire.Write(&pipe, wire.Frame{ID: 1, Name: "square", Items: [][]byte{[]byte("3"), []byte("x")}}, 1<<20)
	req, _ := wire.Read(&pipe, 1<<20)
	fmt.Printf("request %d: %s(%s), %s(%s)\n", req.ID, req.Name, req.Items[0], req.Name, req.Items[1])

	wire.Write(&pipe, wire.Frame{ID: req.ID, Items: [][]byte{[]byte("9"), nil}, Errs: []string{"", "not a number"}}, 1<<20)
	resp, _ := wire.Read(&pipe, 1<<20)
	fmt.Printf("response %d: %s, error %q\n", resp.ID, resp.Items[0], resp.Errs[1])
	// Output:
	// request 1: square(3), square(x)
	// response 1: 9, error "not a number"
}
