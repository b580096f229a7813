package pytwin_test

import (
	"context"
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/pytwin"
)

func ExampleRun() {
	var got struct {
		Args []string `json:"args"`
	}
	if err := pytwin.Run(context.Background(), "echo_args.py", &got, "pasta", "salad"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got.Args)
	// Output: [pasta salad]
}
