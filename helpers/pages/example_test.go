package pages_test

import (
	"context"
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/offline"
	"github.com/concurrency-kitchen/course/helpers/pages"
)

func Example() {
	server, err := offline.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer server.Close()
	client := server.Client(0)
	defer client.CloseIdleConnections()
	want := pages.WantWords()
	for _, year := range pages.Years() {
		words, err := pages.CountPage(context.Background(), client, year, 0) // no wait
		fmt.Println(year, words, words == want[year], err)
	}
	// Output:
	// 2016 3794 true <nil>
	// 2017 4123 true <nil>
	// 2018 4334 true <nil>
	// 2019 1953 true <nil>
}
