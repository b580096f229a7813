"""Python twin of lesson 09's do_calcs (seed 002): the years 2016 to 2019, each one a task, done
serially and by two threads taking years from a queue, once as Python-level work that keeps the GIL
and once as a C call that lets it go, plus the C call through asyncio's run_in_executor with a pool
of two threads (the seed's asyncio_numpy.py).

The seed lets go of the GIL with NumPy (np.sum over np.arange). The twin uses the standard library
only: hashlib's SHA-256 over a 1 MiB buffer, a C loop that CPython runs without the GIL for any
buffer of 2 KiB or more, stands in for NumPy's sum. The Python-level work is the seed's own
sum(range(...)), which holds the GIL from start to end.

Usage: do_calcs.py UNIT_SECONDS
Each kind of work is sized so that the four years take two units serially on one core here (a
year's share grows with the year, as the seed's year * 100000 does). Prints JSON: the time of each
variant in units (each the best of three runs, the variants taking turns), the sizes, how many
cores other programs kept busy during the best runs (Linux; 0 elsewhere), how many cores this
Python kept busy during its best sum(range(...)) threads run, and interpreter()."""
import asyncio
import hashlib
import json
import queue
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from crunch import timed
from interp import interpreter

YEARS = range(2016, 2020)
BUFFER = bytes(1 << 20)  # the C call hashes this buffer once per step


def python_sum(n):
    """The seed's Python-level do_calcs: sum(range(n)), with the GIL held throughout."""
    return sum(range(n))


def c_hash(n):
    """The stand-in for np.sum: n calls into C that each let go of the GIL while they hash 1 MiB."""
    h = hashlib.sha256()
    for _ in range(n):
        h.update(BUFFER)
    return h.hexdigest()


def two_threads(work, sizes):
    """The seed's gil.py and gil_numpy.py: two threads take the years from a queue."""
    q = queue.Queue()
    for year in YEARS:
        q.put(year)

    def worker():
        while True:
            try:
                year = q.get_nowait()
            except queue.Empty:
                return
            work(sizes[year])

    ts = [threading.Thread(target=worker) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def executor(work, sizes):
    """The seed's asyncio_numpy.py: run_in_executor on a pool of two threads, then gather."""
    async def main():
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(max_workers=2) as pool:
            await asyncio.gather(*(loop.run_in_executor(pool, work, sizes[y]) for y in YEARS))
    asyncio.run(main())


def serial(work, sizes):
    for year in YEARS:
        work(sizes[year])


def per_unit(work, probe):
    """How many steps of work make one unit on one core: the better of two timings."""
    best = min(timed(lambda: work(probe))[0] for _ in range(2))
    return probe / best


def main():
    unit = float(sys.argv[1])
    warm_until = time.perf_counter() + 0.5  # a cold CPU runs slower at first (see crunch.py)
    while time.perf_counter() < warm_until:
        python_sum(200_000)
    total = sum(YEARS)
    sizes = {}
    for name, work, probe in (("python", python_sum, 5_000_000), ("c", c_hash, 100)):
        rate = per_unit(work, probe) * unit  # steps per unit
        sizes[name] = {y: max(1, round(2 * rate * y / total)) for y in YEARS}  # two units in all
    variants = [
        ("python_serial", serial, python_sum, "python"),
        ("python_threads", two_threads, python_sum, "python"),
        ("c_serial", serial, c_hash, "c"),
        ("c_threads", two_threads, c_hash, "c"),
        ("c_executor", executor, c_hash, "c"),
    ]
    best = {name: (float("inf"), 0.0) for name, *_ in variants}
    for _ in range(3):  # in turns: a busy moment must not fall on one variant alone
        for name, how, work, kind in variants:
            best[name] = min(best[name], timed(lambda: how(work, sizes[kind])))
    out = {name + "_units": best[name][0] / unit for name in best}
    out.update({
        "python": sys.version.split()[0],
        "interpreter": interpreter(),
        "python_sum_sizes": sizes["python"], "c_hash_mib": sizes["c"],
        "others_cores": max(b[1] for b in best.values()),
        # how many cores this Python kept busy while its two threads ran sum(range(...)):
        # its CPU time over their wall time, which the GIL holds to one core's worth
        "python_threads_cores": best["python_threads"][2],
    })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
