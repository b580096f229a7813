package display_test

import (
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/display"
)

func ExampleUse() {
	rec := &display.Recorder{}
	restore := display.Use(rec)
	defer restore()

	display.Current().Data("run", "application/json", []byte(`{"units":5}`))
	fmt.Println(rec.Of("application/json")[0].Body)
	// Output: {"units":5}
}
