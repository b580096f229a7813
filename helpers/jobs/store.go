package jobs

import (
	"strings"

	"github.com/concurrency-kitchen/course/helpers/internal/jobstore"
)

// job returns the job with the given ID whose hash h is.
func job(id string, h jobstore.Fields) Job {
	j := Job{ID: id, Func: h.Func, Arg: h.Arg, State: State(h.State), Result: h.Result, Error: h.Error,
		Worker: h.Worker, Attempts: h.Attempts, MaxAttempts: h.MaxAttempts,
		Enqueued: h.Enqueued, Started: h.Started, Ended: h.Ended}
	if h.Lost != "" {
		j.Lost = strings.Split(h.Lost, ",")
	}
	return j
}
