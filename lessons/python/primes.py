"""Python twin of lesson 07: seed 001's is_prime over PRIMES, serially, with a ThreadPoolExecutor
and with a ProcessPoolExecutor.

Usage: primes.py WORKERS
Prints JSON: the results, the seconds each way took (after a one-second warm-up), how many cores
the thread pool kept busy on average (CPU time over wall time), and the interpreter (interp.py):
its version, whether the GIL is on, and the start method (fork)."""
import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
import multiprocessing as mp

from interp import interpreter

PRIMES = [
    112272535095293,
    112582705942171,
    112272535095293,
    115280095190773,
    115797848077099,
    1099726899285419]


def is_prime(n):
    if n % 2 == 0:
        return False
    for i in range(3, math.isqrt(n) + 1, 2):
        if n % i == 0:
            return False
    return True


def main():
    workers = int(sys.argv[1])
    warm = time.perf_counter() + 1.0
    while time.perf_counter() < warm:
        is_prime(1_000_003 ** 2)
    out = {"python": sys.version.split()[0], "interpreter": interpreter("fork"), "workers": workers}
    t = time.perf_counter()
    serial = [is_prime(n) for n in PRIMES]
    out["serial_s"] = time.perf_counter() - t
    t, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=workers) as ex:
        threads = list(ex.map(is_prime, PRIMES))
    out["threads_s"] = time.perf_counter() - t
    # how many cores the thread pool kept busy: this Python's CPU time over the pool's wall time
    out["threads_cores"] = (time.process_time() - cpu) / out["threads_s"]
    t = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as ex:
        processes = list(ex.map(is_prime, PRIMES))
    out["processes_s"] = time.perf_counter() - t
    assert serial == threads == processes
    out["results"] = serial
    print(json.dumps(out))


if __name__ == "__main__":
    main()
