package spawn_test

import (
	"fmt"

	"github.com/concurrency-kitchen/course/helpers/internal/spawn"
)

// A child inherits the parent's environment, less what is the parent's
// own business.
func ExampleCleanEnv() {
	env := []string{"HOME=/home/cook", "GONB_PIPE=/tmp/gonb", spawn.RoleEnv + "=pasta", "LANG=C"}
	fmt.Println(spawn.CleanEnv(env))
	// Output: [HOME=/home/cook LANG=C]
}
