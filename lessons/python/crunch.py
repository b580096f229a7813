"""Python twin of lesson 08: crunch_numbers four times, serially, in four threads and in four
processes (seed 001's experiment), each task sized to take one time unit on one core here.

Usage: crunch.py UNIT_SECONDS WORKERS
Prints JSON: the loop count per task and the time of each variant, in units (the best of three
runs, the variants taking turns), what starting the worker processes alone costs (the same
processes with no work, best of three), how many cores other programs kept busy during those runs
(Linux; 0 elsewhere), how many cores the serial and the threads runs kept busy on average (this
process's CPU time over the wall time), how many the worker processes kept busy, and
interpreter("fork"). It first warms up
for a second: measured cold, the same loop ran about 1.5x slower in the first 0.7 s of the process
than later (on these machines), which made four threads look faster than the serial run."""
import json
import multiprocessing as mp
import os
import sys
import threading
import time

from interp import interpreter


def crunch_numbers(n):
    x = 0
    while x < n:
        x += 1


def counters():
    """Ticks of the machine's busy and total CPU time (all cores), this process's CPU time, and
    the number of cores, from Linux's /proc; None elsewhere."""
    try:
        with open("/proc/stat") as f:
            lines = f.read().splitlines()
        with open("/proc/self/stat") as f:
            self_fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    first = [int(v) for v in lines[0].split()[1:9]]  # user nice system idle iowait irq softirq steal
    cores = sum(1 for line in lines if line.startswith("cpu") and not line.startswith("cpu "))
    busy = sum(first) - first[3] - first[4]
    # utime stime cutime cstime: the children counted once they have been waited for
    return busy, sum(first), sum(int(v) for v in self_fields[11:15]), cores


def children_cpu():
    """The CPU time of this process's children that it has waited for, in seconds."""
    t = os.times()
    return t.children_user + t.children_system


def timed(run):
    """Runs run and returns its wall time, how many cores other programs kept busy meanwhile, how
    many cores this process kept busy on average (its own CPU time over the wall time; its
    children not counted), and how many its children that ended meanwhile kept busy."""
    a = counters()
    cpu, kids = time.process_time(), children_cpu()
    t = time.perf_counter()
    run()
    elapsed = time.perf_counter() - t
    own = (time.process_time() - cpu) / elapsed
    children = (children_cpu() - kids) / elapsed
    b = counters()
    if not a or not b or b[1] == a[1]:
        return elapsed, 0.0, own, children
    others = ((b[0] - a[0]) - (b[2] - a[2])) / (b[1] - a[1]) * b[3]
    return elapsed, max(others, 0.0), own, children


def main():
    unit, workers = float(sys.argv[1]), int(sys.argv[2])
    probe = 2_000_000
    warm_until = time.perf_counter() + 1.0  # warm up for a second: see the docstring
    while time.perf_counter() < warm_until:
        crunch_numbers(probe // 10)
    n = int(probe * unit / timed(lambda: crunch_numbers(probe))[0])  # one unit of work

    def serial():
        for _ in range(workers):
            crunch_numbers(n)

    def threads():
        ts = [threading.Thread(target=crunch_numbers, args=(n,)) for _ in range(workers)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    def processes(loops=n):
        ctx = mp.get_context("fork")
        ps = [ctx.Process(target=crunch_numbers, args=(loops,)) for _ in range(workers)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()

    # The three take turns, three times, and each keeps its best time: on a busy machine another
    # program can take a core for a while, which only ever adds time, and must not fall on one of
    # the variants alone (it once made four threads look 15% faster than serial).
    best = {name: (float("inf"), 0.0, 0.0, 0.0) for name in ("serial", "threads", "processes")}
    for _ in range(3):
        for name, run in (("serial", serial), ("threads", threads), ("processes", processes)):
            best[name] = min(best[name], timed(run))
    startup = min(timed(lambda: processes(0))[0] for _ in range(3))
    out = {"python": sys.version.split()[0], "interpreter": interpreter("fork"),
           "loops_per_task": n, "workers": workers,
           "serial_units": best["serial"][0] / unit, "threads_units": best["threads"][0] / unit,
           "processes_units": best["processes"][0] / unit, "processes_startup_units": startup / unit,
           # cores other programs kept busy during the best runs
           "others_cores": max(b[1] for b in best.values()),
           # cores this process kept busy in the best serial and threads runs: about 1 when it ran
           # all the time on one core; less when it lost its core for a while
           "serial_cores": best["serial"][2], "threads_cores": best["threads"][2],
           # cores the worker processes kept busy in the best processes run (their CPU time, read
           # once they were joined, over the run's wall time)
           "processes_cores": best["processes"][3]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
