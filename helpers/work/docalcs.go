package work

// calc is the one loop of SumRange and DoCalcs. Both call it through this function value, which
// the compiler cannot inline: a sum in many small calls and a sum in one call run the very same
// machine code, so that a lesson compares only how they are scheduled.
var calc = sumRange

func sumRange(lo, hi int) int {
	sum := 0
	for i := lo; i < hi; i++ {
		sum += i
	}
	return sum
}

// SumRange returns lo + (lo+1) + ... + (hi-1), one number at a time: Python's sum(range(lo, hi)).
func SumRange(lo, hi int) int { return calc(lo, hi) }

// DoCalcs is seed 002's do_calcs: the sum of 0 .. year*100000-1, one number at a time, in one
// call. A year takes about 0.1 s on the course's machines.
func DoCalcs(year int) int { return calc(0, year*100_000) }

// SeedSums are the four sums seed 002 printed, DoCalcs of 2016 to 2019.
var SeedSums = [4]int{20321279899200000, 20341444899150000, 20361619899100000, 20381804899050000}
