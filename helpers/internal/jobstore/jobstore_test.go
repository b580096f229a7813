package jobstore

import (
	"reflect"
	"strings"
	"testing"
)

// TestFieldNames: the fields written one at a time are tags of Fields.
func TestFieldNames(t *testing.T) {
	tags := map[string]bool{}
	for f := range reflect.TypeFor[Fields]().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("redis"), ",")
		tags[name] = true
	}
	for _, name := range []string{fieldAttempts, fieldWorker, fieldEnded} {
		if !tags[name] {
			t.Errorf("field %q is not a tag of Fields", name)
		}
	}
}

func TestKeys(t *testing.T) {
	s := Store{Name: "q"}
	tests := []struct{ got, want string }{
		{s.JobKey("7"), "jobs:q:job:7"},
		{s.WipKey("w1"), "jobs:q:wip:w1"},
		{s.WipKey(""), "jobs:q:wip:"},
		{s.AliveKey("w1"), "jobs:q:alive:w1"},
		{s.QueueKey(), "jobs:q:queue"},
		{s.DoneKey(), "jobs:q:done"},
		{s.IDsKey(), "jobs:q:ids"},
		{s.SeqKey(), "jobs:q:seq"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("key %q, want %q", tt.got, tt.want)
		}
	}
}
