package jobs

import (
	"strings"
	"time"
)

// The keys of a queue, all in one place (the package comment lists them).
// wipKey("") and aliveKey("") are the prefixes that scan looks for.
func (q *Queue) key(part string) string        { return "jobs:" + q.name + ":" + part }
func (q *Queue) jobKey(id string) string       { return q.key("job:" + id) }
func (q *Queue) wipKey(worker string) string   { return q.key("wip:" + worker) }
func (q *Queue) aliveKey(worker string) string { return q.key("alive:" + worker) }
func (q *Queue) queueKey() string              { return q.key("queue") }
func (q *Queue) doneKey() string               { return q.key("done") }
func (q *Queue) idsKey() string                { return q.key("ids") }
func (q *Queue) seqKey() string                { return q.key("seq") }

// fields is a job's hash in Redis, written with HSet and read with
// HGetAll(...).Scan. A field left zero is not written (omitempty): the
// fields below are cleared with HDel, and attempts counts with HIncrBy.
// The types are the ones go-redis can both write and scan: a State, a
// json.RawMessage or a []string would not be written, and a time field
// holding "" would not scan.
type fields struct {
	Func        string    `redis:"func,omitempty"`
	Arg         []byte    `redis:"arg,omitempty"`
	State       string    `redis:"state,omitempty"`
	Result      []byte    `redis:"result,omitempty"`
	Error       string    `redis:"error,omitempty"`
	Worker      string    `redis:"worker,omitempty"`
	Attempts    int       `redis:"attempts,omitempty"`
	MaxAttempts int       `redis:"max_attempts,omitempty"`
	Lost        string    `redis:"lost,omitempty"` // comma-separated
	Enqueued    time.Time `redis:"enqueued,omitempty"`
	Started     time.Time `redis:"started,omitempty"`
	Ended       time.Time `redis:"ended,omitempty"`
}

// The fields that are written one at a time.
const (
	fieldAttempts = "attempts"
	fieldWorker   = "worker"
	fieldEnded    = "ended"
)

// now is the time stored for an event: in UTC, for redis-cli to read.
func now() time.Time { return time.Now().UTC() }

// job returns the job with the given ID whose hash h is.
func (h fields) job(id string) Job {
	j := Job{ID: id, Func: h.Func, Arg: h.Arg, State: State(h.State), Result: h.Result, Error: h.Error,
		Worker: h.Worker, Attempts: h.Attempts, MaxAttempts: h.MaxAttempts,
		Enqueued: h.Enqueued, Started: h.Started, Ended: h.Ended}
	if h.Lost != "" {
		j.Lost = strings.Split(h.Lost, ",")
	}
	return j
}
