"""Python twin of the process benchmarks: what starting a process and mapping over a pool cost.

Prints JSON: seconds per multiprocessing.Process start+join (the mean of `starts` runs) with the
"fork" start method (Linux's default before Python 3.14) and with "spawn" (a fresh interpreter), and the
seconds for ProcessPoolExecutor.map of `tasks` trivial tasks with chunksize 1 and 100 (pool start
included, as in the Go benchmark the lesson compares it with)."""
import json
import multiprocessing as mp
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from interp import interpreter


def nothing():
    pass


def square(n):
    return n * n


def main():
    starts = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    ctx = mp.get_context("fork")

    start_join = {}
    for method in ("fork", "spawn"):
        mctx = mp.get_context(method)
        t = time.perf_counter()
        for _ in range(starts):
            p = mctx.Process(target=nothing)
            p.start()
            p.join()
        start_join[method] = (time.perf_counter() - t) / starts

    maps = {}
    for chunk in (1, 100):
        t = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            results = list(pool.map(square, range(tasks), chunksize=chunk))
        maps[str(chunk)] = time.perf_counter() - t
        assert results[-1] == (tasks - 1) ** 2

    print(json.dumps({"python": sys.version.split()[0], "process_start_join_s": start_join, "pool_start_method": "fork",
                      "interpreter": interpreter("fork"),
                      "pool_map_s": maps, "tasks": tasks, "workers": workers}))


if __name__ == "__main__":
    main()
