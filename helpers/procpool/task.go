package procpool

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/internal/poolworker"
)

// A Task is a function that a worker process can run: it takes an A and
// returns an R, both sent through a pipe with encoding/gob (so exported
// fields only, no channels or functions).
type Task[A, R any] struct {
	name string
	f    func(context.Context, A) (R, error)
}

// Define registers f under name and returns it as a Task. Call it at
// package level (in a notebook, in a cell's declarations), so that a
// worker process, which is the same program started again, has it too.
//
// In a worker, ctx is cancelled when the Map or Submit call that sent the
// task is cancelled, and when the pool's context is done. A task that
// returns ctx's error fails with context.Canceled or
// context.DeadlineExceeded in the parent too; other errors arrive as
// their text.
func Define[A, R any](name string, f func(ctx context.Context, arg A) (R, error)) *Task[A, R] {
	return define(&poolworker.Tasks, name, f)
}

// define is Define into the registry reg.
func define[A, R any](reg *poolworker.Registry, name string, f func(ctx context.Context, arg A) (R, error)) *Task[A, R] {
	reg.Add(name, func(ctx context.Context, arg []byte) ([]byte, error) {
		var a A
		if err := decode(arg, &a); err != nil {
			return nil, fmt.Errorf("decoding the argument of %s: %w", name, err)
		}
		r, err := f(ctx, a)
		if err != nil {
			return nil, err
		}
		b, err := encode(r)
		if err != nil {
			return nil, fmt.Errorf("encoding the result of %s: %w", name, err)
		}
		return b, nil
	})
	return &Task[A, R]{name: name, f: f}
}

// Name returns the name the task is registered under.
func (t *Task[A, R]) Name() string { return t.name }

// Call runs the task's function in this process, as a goroutine pool
// would.
func (t *Task[A, R]) Call(ctx context.Context, arg A) (R, error) { return t.f(ctx, arg) }

// encode gob-encodes one value.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decode gob-decodes one value encoded by encode.
func decode(b []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(b)).Decode(v)
}
