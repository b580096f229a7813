"""Warm latency of a notebook cell through the real GoNB kernel.

The cell imports the course's helpers and draws a Gantt chart; it runs 20 times after two warm-up
runs, and the script prints the median (p50), p90 and max of the wall time from execute request to
idle, as a client sees it.
"""
import pathlib
import statistics
import time

from jupyter_client.manager import start_new_kernel

from kernelrun import SETUP, run

ROOT = pathlib.Path(__file__).resolve().parent.parent
CELL = '''import (
	"github.com/concurrency-kitchen/course/helpers/chart"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

%%
tl := timing.NewTimeline()
tl.Add(timing.Span{Lane: "pasta", Task: "boil water", Start: 0, End: 3 * timing.Unit()})
chart.Gantt("latency probe", tl.Spans()).Show()
'''


def main():
    km, kc = start_new_kernel(kernel_name="gonb", cwd=str(ROOT / "notebooks"))
    try:
        run(kc, SETUP)
        for _ in range(2):
            run(kc, CELL)
        times = []
        for _ in range(20):
            t = time.monotonic()
            run(kc, CELL)
            times.append(time.monotonic() - t)
        times.sort()
        print(f"cell latency (helpers + Gantt chart), 20 runs: p50 {statistics.median(times):.2f}s, "
              f"p90 {times[17]:.2f}s, max {times[-1]:.2f}s")
    finally:
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
