package proc

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// A handler runs one task in a worker: it decodes the argument, calls the
// function and encodes its result.
type handler func(ctx context.Context, arg []byte) ([]byte, error)

// A Registry maps names to the functions a worker process may run. A
// child finds a function by name because parent and child are the same
// program: both registered it, in the same way, before main ran.
type Registry struct {
	mu    sync.Mutex
	funcs map[string]handler
}

// Default is the registry that Define uses and worker processes serve.
var Default = &Registry{}

func (r *Registry) add(name string, h handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.funcs == nil {
		r.funcs = make(map[string]handler)
	}
	r.funcs[name] = h // a notebook cell run again defines the same name again
}

func (r *Registry) lookup(name string) (handler, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h, ok := r.funcs[name]
	return h, ok
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for n := range r.funcs {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func (r *Registry) describe() string { return quoteNames(r.Names()) }

// quoteNames lists sorted names for an error message: "a", "b", or none.
func quoteNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// A Fn is a function that a worker process can run: it takes an A and
// returns an R, both sent through a pipe with encoding/gob (so exported
// fields only, no channels or functions).
type Fn[A, R any] struct {
	name string
	f    func(context.Context, A) (R, error)
}

// Define registers f under name in Default and returns it as a Fn. Call
// it at package level (in a notebook, in a cell's declarations), so that
// a worker process, which is the same program started again, has it too.
func Define[A, R any](name string, f func(ctx context.Context, arg A) (R, error)) *Fn[A, R] {
	fn := &Fn[A, R]{name: name, f: f}
	Default.add(name, func(ctx context.Context, arg []byte) ([]byte, error) {
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
	return fn
}

// Name returns the name the function is registered under.
func (fn *Fn[A, R]) Name() string { return fn.name }

// Call runs the function in this process, as a goroutine pool would.
func (fn *Fn[A, R]) Call(ctx context.Context, arg A) (R, error) { return fn.f(ctx, arg) }
