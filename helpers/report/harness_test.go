package report

import (
	"encoding/json"
	"os"
	"testing"
)

// TestHarnessAgrees checks that the test harness (.ci/course.json, which the Python and JS tests
// read) looks for run records under this package's MIME type.
func TestHarnessAgrees(t *testing.T) {
	b, err := os.ReadFile("../../.ci/course.json")
	if err != nil {
		t.Skip("no .ci/course.json beside the module:", err)
	}
	var course struct {
		RunMIME string `json:"run_mime"`
	}
	if err := json.Unmarshal(b, &course); err != nil {
		t.Fatal(err)
	}
	if course.RunMIME != MIME {
		t.Errorf(".ci/course.json has run_mime %q, the report package publishes %q", course.RunMIME, MIME)
	}
}
