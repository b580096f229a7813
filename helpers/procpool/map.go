package procpool

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// A TaskError is the failure of one task of a Map.
type TaskError struct {
	Index int // the task's index in the arguments of Map
	Err   error
}

// Error says which task failed, and why.
func (e *TaskError) Error() string { return fmt.Sprintf("task %d: %v", e.Index, e.Err) }

// Unwrap returns the task's error.
func (e *TaskError) Unwrap() error { return e.Err }

// Map runs t on every argument in the pool's workers, chunk arguments to
// a message, and returns the results in the order of args. Tasks that
// fail leave a zero result and a *TaskError in the returned error; the
// others still run and return their results. An argument that cannot be
// encoded fails its task before anything is sent.
//
// When ctx is done, Map returns at once: the tasks that have not finished
// fail with an error that wraps ctx's, and the pool goes on (see the
// package comment).
func Map[A, R any](ctx context.Context, p *Pool, t *Task[A, R], args []A, chunk int) ([]R, error) {
	if chunk <= 0 {
		chunk = 1
	}
	results := make([]R, len(args))
	errs := make([]error, len(args))
	encoded := make([][]byte, len(args))
	for i, a := range args {
		b, err := encode(a)
		if err != nil {
			errs[i] = fmt.Errorf("procpool: the argument cannot be encoded for a worker process: %w", err)
		}
		encoded[i] = b
	}
	// A job per chunk, of its encodable arguments. Its results are decoded
	// where it ends, and kept unless Map has returned; the last job to end
	// wakes Map.
	var mu sync.Mutex
	var jobs []*job
	left, returned, allDone := 0, false, make(chan struct{})
	answered := make([]bool, len(args))
	for lo := 0; lo < len(args); lo += chunk {
		hi := min(lo+chunk, len(args))
		label := fmt.Sprintf("%s #%d", t.name, lo)
		if hi-lo > 1 {
			label = fmt.Sprintf("%s #%d-%d", t.name, lo, hi-1)
		} else if a, ok := shortArg(args[lo]); ok {
			label = fmt.Sprintf("%s(%s)", t.name, a) // a short argument names the task best: fib(41)
		}
		j := &job{ctx: ctx, name: t.name, label: label}
		var idx []int // where the results go
		for i := lo; i < hi; i++ {
			if errs[i] == nil {
				idx, j.args = append(idx, i), append(j.args, encoded[i])
			}
		}
		if len(idx) == 0 {
			continue
		}
		j.done = func(res [][]byte, es []error) {
			rs, rerrs := make([]R, len(idx)), make([]error, len(idx))
			for k := range idx {
				switch {
				case es[k] != nil:
					rerrs[k] = es[k]
				case res != nil:
					if err := decode(res[k], &rs[k]); err != nil {
						rerrs[k] = fmt.Errorf("procpool: decoding the result: %w", err)
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if returned {
				return
			}
			for k, i := range idx {
				results[i], errs[i], answered[i] = rs[k], rerrs[k], true
			}
			if left--; left == 0 {
				close(allDone)
			}
		}
		jobs = append(jobs, j)
	}
	left = len(jobs) // before the first job can end
	for _, j := range jobs {
		p.submit(j)
	}
	if len(jobs) > 0 {
		select {
		case <-allDone:
		case <-ctx.Done():
			mu.Lock()
			returned = true
			for i := range args {
				if !answered[i] && errs[i] == nil {
					errs[i] = fmt.Errorf("procpool: cancelled: %w", ctx.Err())
				}
			}
			mu.Unlock()
		}
	}
	var all []error
	for i, err := range errs {
		if err != nil {
			all = append(all, &TaskError{Index: i, Err: err})
		}
	}
	return results, errors.Join(all...)
}

// A Future is the result of a task submitted to a pool.
type Future[R any] struct {
	once sync.Once
	done chan struct{}
	r    R
	err  error
}

// settle sets the future's result, the first time only.
func (f *Future[R]) settle(r R, err error) {
	f.once.Do(func() {
		f.r, f.err = r, err
		close(f.done)
	})
}

// Wait blocks until the task is done, or its call's context is, and
// returns its result.
func (f *Future[R]) Wait() (R, error) {
	<-f.done
	return f.r, f.err
}

// Submit queues t(arg) on the pool and returns at once. When ctx is done
// before the task is, the future's error wraps ctx's: the task never
// starts, or its context in the worker is cancelled.
func Submit[A, R any](ctx context.Context, p *Pool, t *Task[A, R], arg A) *Future[R] {
	f := &Future[R]{done: make(chan struct{})}
	var zero R
	b, err := encode(arg)
	if err != nil {
		f.settle(zero, fmt.Errorf("procpool: the argument cannot be encoded for a worker process: %w", err))
		return f
	}
	label := t.name
	if a, ok := shortArg(arg); ok {
		label = fmt.Sprintf("%s(%s)", t.name, a)
	}
	stop := context.AfterFunc(ctx, func() { f.settle(zero, fmt.Errorf("procpool: cancelled: %w", ctx.Err())) })
	p.submit(&job{ctx: ctx, name: t.name, label: label, args: [][]byte{b}, done: func(res [][]byte, es []error) {
		stop()
		r, err := zero, es[0]
		if err == nil && res != nil {
			if derr := decode(res[0], &r); derr != nil {
				err = fmt.Errorf("procpool: decoding the result: %w", derr)
			}
		}
		f.settle(r, err)
	}})
	return f
}

// shortArg formats a number, a bool or a short string, and reports false
// for anything else, without formatting it (an argument may be megabytes).
func shortArg(a any) (string, bool) {
	v := reflect.ValueOf(a)
	switch v.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return fmt.Sprint(a), true
	case reflect.String:
		if v.Len() <= 24 {
			return fmt.Sprint(a), true
		}
	}
	return "", false
}
