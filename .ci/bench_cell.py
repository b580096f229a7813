"""Warm latency of a notebook cell through the real GoNB kernel.

The cell imports the course's helpers and draws a Gantt chart, with its picture (the SVG that the
kernel's warm renderer draws, see helpers/chart/internal/picture/renderer.go) and without it (COURSE_CHART_PICTURES=0,
set with GoNB's %env between runs, so that the cell itself, and the program GoNB builds from it, stay
the same: a cell whose text changed is compiled and linked again, about 0.4 s more). After two
warm-up runs of each, the two run in turn 20 times each, and the script prints the median (p50),
p90 and max of the wall time from execute request to idle, as a client sees it, for each, and the
picture's share as a ratio inside this one run.
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
VARIANTS = {"with its picture": "%env COURSE_CHART_PICTURES 1", "without a picture": "%env COURSE_CHART_PICTURES 0"}


def main():
    km, kc = start_new_kernel(kernel_name="gonb", cwd=str(ROOT / "notebooks"))
    try:
        run(kc, SETUP)
        times = {name: [] for name in VARIANTS}
        for _ in range(2):
            for env in VARIANTS.values():
                run(kc, env)
                run(kc, CELL)
        for _ in range(20):
            for name, env in VARIANTS.items():
                run(kc, env)
                t = time.monotonic()
                run(kc, CELL)
                times[name].append(time.monotonic() - t)
        for name, ts in times.items():
            ts.sort()
            print(f"cell latency (helpers + Gantt chart {name}), 20 runs: p50 {statistics.median(ts):.2f}s, "
                  f"p90 {ts[17]:.2f}s, max {ts[-1]:.2f}s")
        on, off = (statistics.median(ts) for ts in times.values())
        print(f"the picture's share: p50 {on:.2f}s against {off:.2f}s ({on / off:.2f}x)")
    finally:
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
