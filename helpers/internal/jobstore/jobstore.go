// Package jobstore is how package jobs keeps a queue in Redis: the keys,
// a job's hash, and the steps that must be atomic. Package jobs is the
// queue's API and the worker's loop; this package is the data it works on.
//
// The keys are listed in package jobs' comment, for learners.
//
// How it works:
//   - A worker takes a job with BLMOVE from the queue into its own wip list,
//     in one atomic step: at every moment a job's ID is in exactly one list.
//   - It records the result in one MULTI/EXEC transaction that writes the
//     job's hash, removes the ID from its wip list and pushes it on the
//     done list, and only while the ID is still in its wip list (WATCH):
//     a worker that was given up for dead cannot record a result twice.
//   - A worker refreshes its heartbeat key every third of its TTL. Workers
//     and waiting clients run Recover now and then: a wip list whose worker
//     has no heartbeat any more goes back to the queue, each job noting the
//     worker that lost it. A job that has been started MaxAttempts times
//     fails instead, with an error that says why: a job is never lost.
package jobstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The states of a job, as stored.
const (
	Queued   = "queued"
	Started  = "started"
	Finished = "finished"
	Failed   = "failed"
)

var validName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

// CheckName rejects a queue or worker name (what says which) that is
// empty or would not read well in a Redis key.
func CheckName(what, name string) error {
	if !validName.MatchString(name) {
		if name == "" {
			return fmt.Errorf("jobs: the %s name is empty", what)
		}
		return fmt.Errorf("jobs: the %s name %q: use 1 to 100 letters, digits, '.', '_' or '-'", what, name)
	}
	return nil
}

// A Store is one queue on one Redis server.
type Store struct {
	RDB  *redis.Client
	Name string // the queue's name
}

func (s Store) key(part string) string { return "jobs:" + s.Name + ":" + part }

// JobKey is the key of the job's hash.
func (s Store) JobKey(id string) string { return s.key("job:" + id) }

// WipKey is the key of the worker's wip list; WipKey("") is the prefix
// of them all.
func (s Store) WipKey(worker string) string { return s.key("wip:" + worker) }

// AliveKey is the key of the worker's heartbeat; AliveKey("") is the
// prefix of them all.
func (s Store) AliveKey(worker string) string { return s.key("alive:" + worker) }

// QueueKey is the key of the list of waiting IDs.
func (s Store) QueueKey() string { return s.key("queue") }

// DoneKey is the key of the list of done IDs.
func (s Store) DoneKey() string { return s.key("done") }

// IDsKey is the key of the list of every ID.
func (s Store) IDsKey() string { return s.key("ids") }

// SeqKey is the key of the last ID given out.
func (s Store) SeqKey() string { return s.key("seq") }

// Fields is a job's hash, written with HSet and read with
// HGetAll(...).Scan. A field left zero is not written (omitempty): the
// ones named below are cleared with HDel, and attempts counts with
// HIncrBy. The types are the ones go-redis can both write and scan: a
// json.RawMessage or a []string would not be written, and a time field
// holding "" would not scan.
type Fields struct {
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

// Now is the time stored for an event: in UTC, for redis-cli to read.
func Now() time.Time { return time.Now().UTC() }

// Add stores a new job and puts it in the queue, and returns its ID.
func (s Store) Add(ctx context.Context, h Fields) (string, error) {
	n, err := s.RDB.Incr(ctx, s.SeqKey()).Result()
	if err != nil {
		return "", err
	}
	id := strconv.FormatInt(n, 10)
	_, err = s.RDB.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.JobKey(id), h)
		p.RPush(ctx, s.IDsKey(), id)
		p.LPush(ctx, s.QueueKey(), id)
		return nil
	})
	return id, err
}

// Read reads the hashes of jobs in one round trip; an ID with no job is
// an error.
func (s Store) Read(ctx context.Context, ids []string) ([]Fields, error) {
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	_, err := s.RDB.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HGetAll(ctx, s.JobKey(id))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	out := make([]Fields, len(ids))
	for i, c := range cmds {
		if len(c.Val()) == 0 {
			return nil, fmt.Errorf("jobs: no job %q in queue %q", ids[i], s.Name)
		}
		if err := c.Scan(&out[i]); err != nil {
			return nil, fmt.Errorf("jobs: job %s of queue %s: %w", ids[i], s.Name, err)
		}
	}
	return out, nil
}

// Workers returns the worker names that follow prefix (WipKey("") or
// AliveKey("")) in the queue's keys, sorted. Queue and worker names hold
// no glob characters.
func (s Store) Workers(ctx context.Context, prefix string) ([]string, error) {
	var names []string
	it := s.RDB.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for it.Next(ctx) {
		names = append(names, strings.TrimPrefix(it.Val(), prefix))
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return slices.Compact(slices.Sorted(slices.Values(names))), nil // SCAN may return a key twice
}

// Beat sets the worker's heartbeat, to live for ttl. With nx it sets it
// only if it is not set (a live worker has that name), and reports
// whether it did.
func (s Store) Beat(ctx context.Context, worker string, ttl time.Duration, nx bool) (bool, error) {
	value := "pid " + strconv.Itoa(os.Getpid())
	if nx {
		return s.RDB.SetNX(ctx, s.AliveKey(worker), value, ttl).Result()
	}
	return true, s.RDB.Set(ctx, s.AliveKey(worker), value, ttl).Err()
}

// Take moves a job from the queue into the worker's wip list, in one
// atomic step, waiting up to block for one; "" means none came.
func (s Store) Take(ctx context.Context, worker string, block time.Duration) (string, error) {
	// go-redis's BLMove rounds timeouts to whole seconds: Do does not.
	secs := strconv.FormatFloat(block.Seconds(), 'f', 3, 64)
	id, err := s.RDB.Do(ctx, "BLMOVE", s.QueueKey(), s.WipKey(worker), "RIGHT", "LEFT", secs).Text()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return id, err
}

// Drop removes a stray ID, which names no job, from the worker's wip list.
func (s Store) Drop(ctx context.Context, worker, id string) error {
	return s.RDB.LRem(ctx, s.WipKey(worker), 1, id).Err()
}

// Begin records that the worker starts an attempt at the job, if the job
// is still in its wip list, and reports whether it was.
func (s Store) Begin(ctx context.Context, worker, id string, at time.Time) (bool, error) {
	return s.ifMine(ctx, worker, id, func(p redis.Pipeliner) {
		p.HSet(ctx, s.JobKey(id), Fields{State: Started, Worker: worker, Started: at.UTC()})
		p.HDel(ctx, s.JobKey(id), fieldEnded)
		p.HIncrBy(ctx, s.JobKey(id), fieldAttempts, 1)
	})
}

// End records the job's outcome (its state, result or error, and end),
// takes it out of the worker's wip list and onto the done list, in one
// transaction, if the job is still in that wip list: a worker given up
// for dead cannot record a result twice. It reports whether it did.
func (s Store) End(ctx context.Context, worker, id string, done Fields) (bool, error) {
	return s.ifMine(ctx, worker, id, func(p redis.Pipeliner) {
		p.HSet(ctx, s.JobKey(id), done)
		p.LRem(ctx, s.WipKey(worker), 1, id)
		p.LPush(ctx, s.DoneKey(), id)
	})
}

// ifMine runs fn in a MULTI/EXEC transaction if the job id is still in the
// worker's wip list, and reports whether it did. WATCH makes the check and
// the transaction one step: if a recovery moves the job away in between,
// the transaction is dropped and the check runs again.
func (s Store) ifMine(ctx context.Context, worker, id string, fn func(redis.Pipeliner)) (bool, error) {
	wip := s.WipKey(worker)
	for {
		mine := false
		err := s.RDB.Watch(ctx, func(tx *redis.Tx) error {
			if err := tx.LPos(ctx, wip, id, redis.LPosArgs{}).Err(); err != nil {
				if errors.Is(err, redis.Nil) {
					return nil // not ours any more
				}
				return err
			}
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error { fn(p); return nil })
			mine = err == nil
			return err
		}, wip)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("jobs: worker %s, job %s: %w", worker, id, err)
		}
		return mine, nil
	}
}

// Requeue moves the jobs in worker's wip list back to the queue (to its
// front: they run next), in one transaction, or fails a job that has been
// started as often as it may. With ifDead it does so only when the
// worker's heartbeat has run out, and does nothing if the worker beats
// again before the move is done. It returns a line about each job moved.
func (s Store) Requeue(ctx context.Context, worker string, ifDead bool) ([]string, error) {
	wip, alive := s.WipKey(worker), s.AliveKey(worker)
	var notes []string
	err := s.RDB.Watch(ctx, func(tx *redis.Tx) error {
		if ifDead {
			if n, err := tx.Exists(ctx, alive).Result(); err != nil || n > 0 {
				return err
			}
		}
		ids, err := tx.LRange(ctx, wip, 0, -1).Result()
		if err != nil || len(ids) == 0 {
			return err
		}
		held := make([]Fields, len(ids))
		for i, id := range ids {
			if err := tx.HGetAll(ctx, s.JobKey(id)).Scan(&held[i]); err != nil {
				return err
			}
		}
		ended := Now()
		var lines []string
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for i, id := range ids {
				h := held[i]
				lost := worker
				if h.Lost != "" {
					lost = h.Lost + "," + worker
				}
				if h.Attempts >= h.MaxAttempts {
					p.HSet(ctx, s.JobKey(id), Fields{State: Failed, Lost: lost, Ended: ended,
						Error: fmt.Sprintf("worker %s died while running it, and it had been started %d times (the most allowed): given up", worker, h.Attempts)})
					p.LPush(ctx, s.DoneKey(), id)
					lines = append(lines, fmt.Sprintf("job %s %s failed: worker %s died holding it, attempt %d of %d", id, h.Func, worker, h.Attempts, h.MaxAttempts))
				} else {
					p.HSet(ctx, s.JobKey(id), Fields{State: Queued, Lost: lost})
					p.HDel(ctx, s.JobKey(id), fieldWorker)
					p.RPush(ctx, s.QueueKey(), id)
					lines = append(lines, fmt.Sprintf("job %s %s back in the queue: worker %s died holding it", id, h.Func, worker))
				}
			}
			p.Del(ctx, wip)
			return nil
		})
		if err == nil {
			notes = lines
		}
		return err
	}, wip, alive)
	if errors.Is(err, redis.TxFailedErr) {
		return nil, nil // the worker beat, or another process moved the jobs first
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: recovering the jobs of worker %s: %w", worker, err)
	}
	return notes, nil
}

// Giveup deletes the worker's heartbeat and sends the jobs it holds back
// to the queue: what a worker does when it stops.
func (s Store) Giveup(ctx context.Context, worker string) ([]string, error) {
	if err := s.RDB.Del(ctx, s.AliveKey(worker)).Err(); err != nil {
		return nil, err
	}
	return s.Requeue(ctx, worker, false)
}
