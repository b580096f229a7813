package poolworker

import (
	"context"
	"slices"
	"sync"
)

// A Handler runs one task in a worker: it decodes the argument, calls the
// task's function and encodes its result.
type Handler func(ctx context.Context, arg []byte) ([]byte, error)

// A Registry maps task names to their handlers. A worker finds a task by
// name because parent and worker are the same program: both registered
// it, in the same way, before main ran. The zero Registry is empty and
// ready to use.
type Registry struct {
	mu    sync.Mutex
	funcs map[string]Handler
}

// Tasks is the registry that procpool.Define adds to and Main serves.
// Tests use registries of their own.
var Tasks Registry

// Add registers h under name, in place of any handler of that name (a
// notebook cell run again defines the same name again).
func (r *Registry) Add(name string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.funcs == nil {
		r.funcs = make(map[string]Handler)
	}
	r.funcs[name] = h
}

// Lookup returns the handler registered under name.
func (r *Registry) Lookup(name string) (Handler, bool) {
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
