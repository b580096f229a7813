"""Python twin of lesson 05: crunch_numbers four times, serially, in four threads and in four
processes (seed 001's experiment), each task sized to take one time unit on one core here.

Usage: crunch.py UNIT_SECONDS WORKERS
Prints JSON: the loop count per task and the time of each variant, in units (serial and threads:
the best of three runs, taken in turns). It first warms up
for a second: measured cold, the same loop ran about 1.5x slower in the first 0.7 s of the process
than later (on these machines), which made four threads look faster than the serial run."""
import json
import multiprocessing as mp
import sys
import threading
import time


def crunch_numbers(n):
    x = 0
    while x < n:
        x += 1


def timed(run):
    t = time.perf_counter()
    run()
    return time.perf_counter() - t


def main():
    unit, workers = float(sys.argv[1]), int(sys.argv[2])
    probe = 2_000_000
    warm_until = time.perf_counter() + 1.0  # warm up for a second: see the docstring
    while time.perf_counter() < warm_until:
        crunch_numbers(probe // 10)
    n = int(probe * unit / timed(lambda: crunch_numbers(probe)))  # one unit of work

    def serial():
        for _ in range(workers):
            crunch_numbers(n)

    def threads():
        ts = [threading.Thread(target=crunch_numbers, args=(n,)) for _ in range(workers)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    def processes():
        ctx = mp.get_context("fork")
        ps = [ctx.Process(target=crunch_numbers, args=(n,)) for _ in range(workers)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()

    # Serial and threads take turns, three times, and each keeps its best time: on a busy machine another
    # program can take a core for a while, which only ever adds time, and must not fall on one of
    # the two variants alone (it once made four threads look 15% faster than serial).
    best = {"serial": float("inf"), "threads": float("inf")}
    for _ in range(3):
        for name, run in (("serial", serial), ("threads", threads)):
            best[name] = min(best[name], timed(run))
    out = {"python": sys.version.split()[0], "loops_per_task": n, "workers": workers,
           "serial_units": best["serial"] / unit, "threads_units": best["threads"] / unit,
           "processes_units": timed(processes) / unit}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
