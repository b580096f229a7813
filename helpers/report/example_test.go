package report_test

import (
	"fmt"
	"time"

	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/concurrency-kitchen/course/helpers/report"
)

func ExampleNew() {
	defer display.Use(&display.Recorder{})() // keep the record in memory
	r := report.New("01-dinner", "dinner", "synchronous", 13*time.Second, nil, report.Near(13, 0.3))
	fmt.Println(r.Summary())
	// Output: synchronous: 13.00 units (13.000 s); model: 13 ± 0.3 ✓
}

func ExampleCheck() {
	report.Check("five sleepers finish together", true, "")
	// Output: ✓ five sleepers finish together
}

func ExampleMedian() {
	saladFirst := []float64{9.04, 8.02, 9.06, 9.11} // four runs, in units
	fmt.Printf("runs %s: median %.2f, mean %.2f\n", report.Figures(saladFirst), report.Median(saladFirst), report.Mean(saladFirst))
	// Output: runs 9.04, 8.02, 9.06, 9.11: median 9.05, mean 8.81
}
