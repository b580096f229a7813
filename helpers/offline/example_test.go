package offline_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/concurrency-kitchen/course/helpers/offline"
)

func ExampleStart() {
	s, err := offline.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	client := &http.Client{}
	defer client.CloseIdleConnections()
	status, err := offline.Get(context.Background(), client, s.URL("/200?sleep=10"))
	fmt.Println(status, err)
	// Output: 200 <nil>
}
