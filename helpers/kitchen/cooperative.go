package kitchen

import (
	"sync"

	"github.com/concurrency-kitchen/course/helpers/timing"
)

// cook runs tasks cooperatively: one at a time, switching only at await. Lesson 02 shows the
// same code in its cell.
type cook struct {
	tl   *timing.Timeline
	mu   sync.Mutex
	busy bool            // some task holds the turn
	line []chan struct{} // tasks waiting for the turn, in order
}

// take blocks until the turn is ours; the wait is recorded.
func (k *cook) take(dish string) {
	k.mu.Lock()
	if !k.busy {
		k.busy = true
		k.mu.Unlock()
		return
	}
	turn := make(chan struct{})
	k.line = append(k.line, turn)
	k.mu.Unlock()
	defer k.tl.Track(dish, "waiting for the cook")()
	<-turn
}

// give hands the turn to the first task in line, or leaves it free.
func (k *cook) give() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.line) == 0 {
		k.busy = false
		return
	}
	next := k.line[0]
	k.line = k.line[1:]
	close(next) // busy stays true: the turn passes straight on
}

// await waits without the cook: others may work meanwhile.
func (k *cook) await(dish, task string, units float64) {
	k.give()
	Step(k.tl, dish, task, units)
	k.take(dish)
}

// block works with the cook's full attention: nobody else runs.
func (k *cook) block(dish, task string, units float64) {
	Step(k.tl, dish, task, units)
}

// spawn lines a task up; it runs when its turn comes.
func (k *cook) spawn(wg *sync.WaitGroup, task func()) {
	turn := make(chan struct{})
	k.mu.Lock()
	k.line = append(k.line, turn)
	k.mu.Unlock()
	wg.Go(func() {
		<-turn
		task()
		k.give()
	})
}

// Cooperative cooks the dinner as the Python text's asyncio dinner does: one cook, and tasks
// that give the cook away only where they await (the water, the oven); the sear, the chop and
// the assembly block. 7 units: the oven is hot at 2 and the water at 3, but they wait for the
// salad to let go of the cook at 4.
func Cooperative(tl *timing.Timeline) {
	k := &cook{tl: tl, busy: true} // we hold the turn while we line the tasks up
	var wg sync.WaitGroup
	k.spawn(&wg, func() {
		k.await("pasta", "boil water", 3)
		k.await("pasta", "cook pasta", 1)
	})
	k.spawn(&wg, func() {
		k.await("meatballs", "preheat oven", 2)
		k.block("meatballs", "sear meatballs", 1)
		k.await("meatballs", "finish meatballs", 2)
	})
	k.spawn(&wg, func() {
		k.block("salad", "chop vegetables", 3)
		k.block("salad", "assemble salad", 1)
	})
	k.give() // start the first task
	wg.Wait()
}
