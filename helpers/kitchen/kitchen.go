// Package kitchen is lesson 01's dinner, for the lessons that cook it again.
//
// Lesson 01 writes this code in its cells, where it is what the lesson teaches; the lessons after
// it import it from here: the recipes (every step a sleep, recorded on a timeline under the
// dish's name), and the dinners cooked synchronously, with goroutines, by modelled Python threads
// under a GIL (package gil), and cooperatively, by one cook who switches only at an await.
// CookInCPython cooks the GIL dinner with real CPython threads, in the Python twin
// lessons/python/dinner.py.
//
// The dinner comes from the first of the course's Python texts:
//
//	pasta      boil water 3, cook pasta 1
//	meatballs  preheat oven 2, sear meatballs 1, finish meatballs 2
//	salad      chop vegetables 3, assemble salad 1
//
// Under the GIL, and in the cooperative kitchen, the sear, the chop and the assembly keep the
// lock (the cook): nobody else works meanwhile.
package kitchen

import (
	"fmt"
	"sync"
	"time"

	"github.com/concurrency-kitchen/course/helpers/gil"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// Step is one step of a recipe: it waits units of time and is recorded on tl as task, in the
// lane dish.
func Step(tl *timing.Timeline, dish, task string, units float64) {
	defer tl.Track(dish, task)()
	time.Sleep(timing.Units(units))
}

// Pasta cooks the pasta: 4 units.
func Pasta(tl *timing.Timeline) {
	Step(tl, "pasta", "boil water", 3)
	Step(tl, "pasta", "cook pasta", 1)
}

// Meatballs cooks the meatballs: 5 units, the longest dish.
func Meatballs(tl *timing.Timeline) {
	Step(tl, "meatballs", "preheat oven", 2)
	Step(tl, "meatballs", "sear meatballs", 1)
	Step(tl, "meatballs", "finish meatballs", 2)
}

// Salad makes the salad: 4 units.
func Salad(tl *timing.Timeline) {
	Step(tl, "salad", "chop vegetables", 3)
	Step(tl, "salad", "assemble salad", 1)
}

// Dishes returns the three dishes' names in the order the Python text starts them.
func Dishes() []string { return []string{"pasta", "meatballs", "salad"} }

// SaladFirst returns the dishes in the order of the Python text's second GIL dinner.
func SaladFirst() []string { return []string{"salad", "meatballs", "pasta"} }

// Recipes returns each dish's recipe by its name, a new map at each call.
func Recipes() map[string]func(*timing.Timeline) {
	return map[string]func(*timing.Timeline){"pasta": Pasta, "meatballs": Meatballs, "salad": Salad}
}

// Synchronous cooks the dishes one after the other: the sum of the steps, 13 units.
func Synchronous(tl *timing.Timeline) {
	Pasta(tl)
	Meatballs(tl)
	Salad(tl)
}

// Goroutines cooks each dish on a goroutine of its own and waits for the three: the longest
// dish, 5 units.
func Goroutines(tl *timing.Timeline) {
	var wg sync.WaitGroup
	for _, dish := range []func(*timing.Timeline){Pasta, Meatballs, Salad} {
		wg.Go(func() { dish(tl) })
	}
	wg.Wait()
}

// GILRecipes returns the dishes as modelled Python threads, by name: the sear, the chop and the
// assembly are C calls that keep the GIL (CSleep); the other steps are time.sleep (Sleep).
func GILRecipes() map[string]func(*gil.Thread) {
	return map[string]func(*gil.Thread){
		"pasta": func(t *gil.Thread) {
			t.Sleep("boil water", 3)
			t.Sleep("cook pasta", 1)
		},
		"meatballs": func(t *gil.Thread) {
			t.Sleep("preheat oven", 2)
			t.CSleep("sear meatballs", 1)
			t.Sleep("finish meatballs", 2)
		},
		"salad": func(t *gil.Thread) {
			t.CSleep("chop vegetables", 3)
			t.CSleep("assemble salad", 1)
		},
	}
}

// GIL starts one modelled Python thread per dish, in the given order, under one GIL with opts,
// and waits for all: 7 units with the pasta first; with the salad first, 9 units, or 8 with
// opts.SwitchBetweenCalls.
func GIL(tl *timing.Timeline, order []string, opts gil.Options) {
	recipes := GILRecipes()
	lock := gil.New(tl, opts)
	var wg sync.WaitGroup
	for _, name := range order {
		recipe, ok := recipes[name]
		if !ok {
			panic(fmt.Sprintf("kitchen: no dish %q (have pasta, meatballs, salad)", name))
		}
		t := lock.NewThread(name) // queues for the lock now, so threads start in this order
		wg.Go(func() { t.Run(recipe) })
	}
	wg.Wait()
}
