package load

import (
	"runtime"
	"testing"
	"time"
)

func TestParseAndOthers(t *testing.T) {
	const self = "4242 (go (test)) R 1 2 3 4 5 6 7 8 9 10 %d %d 0 0 20 0"
	tests := []struct {
		name       string
		a, b       string
		sa, sb     [2]int
		wantOthers float64
	}{
		// Two cores, 100 ticks of wall time each (200 in total): all busy, this process took 100.
		{"another program on one core", "cpu 100 0 0 100 0 0 0 0 0 0\ncpu0 x\ncpu1 x\n", "cpu 300 0 0 100 0 0 0 0 0 0\ncpu0 x\ncpu1 x\n",
			[2]int{0, 0}, [2]int{100, 0}, 1},
		{"only this process", "cpu 100 0 0 100 0 0 0 0 0 0\ncpu0 x\ncpu1 x\n", "cpu 200 0 0 200 0 0 0 0 0 0\ncpu0 x\ncpu1 x\n",
			[2]int{10, 0}, [2]int{60, 50}, 0},
		{"idle machine", "cpu 0 0 0 10 0 0 0 0 0 0\ncpu0 x\n", "cpu 0 0 0 110 0 0 0 0 0 0\ncpu0 x\n",
			[2]int{0, 0}, [2]int{0, 0}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parse(tt.a, sprintf(self, tt.sa))
			if err != nil {
				t.Fatal(err)
			}
			b, err := parse(tt.b, sprintf(self, tt.sb))
			if err != nil {
				t.Fatal(err)
			}
			if got := others(a, b); got < tt.wantOthers-1e-9 || got > tt.wantOthers+1e-9 {
				t.Errorf("others = %v, want %v", got, tt.wantOthers)
			}
		})
	}
	if _, err := parse("intr 1\n", sprintf(self, [2]int{})); err == nil {
		t.Error("parse accepted a /proc/stat without a cpu line")
	}
}

// TestOthersOfThisProcess spins on this process only: the others' share stays small (the test
// runs on a busy machine too, so the bound is one core).
func TestOthersOfThisProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	o, err := Others(func() {
		for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); {
		}
	})
	if err != nil || o < 0 || o > float64(runtime.NumCPU()) {
		t.Errorf("Others = %v, %v", o, err)
	}
}
