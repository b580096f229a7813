"""Python twin of lesson 04: sleepers in threads, and what a thread costs.

Usage: thread_cost.py UNIT_SECONDS THREADS
Prints JSON: the time five threads sleeping 2 units take; and, for THREADS threads that wait on an
event, the resident memory they add (from /proc/self/status VmRSS), the time to start them, per thread, and
how many OS threads the process has meanwhile."""
import json
import sys
import threading
import time

from interp import interpreter


def status(key):
    """A number from /proc/self/status, such as VmRSS (in KiB) or Threads."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {key} in /proc/self/status")


def main():
    unit = float(sys.argv[1])
    n = int(sys.argv[2])

    # Five sleepers of two units each.
    sleepers = [threading.Thread(target=time.sleep, args=(2 * unit,)) for _ in range(5)]
    t = time.perf_counter()
    for s in sleepers:
        s.start()
    for s in sleepers:
        s.join()
    five = time.perf_counter() - t

    # N threads that wait: memory and start time per thread.
    stop = threading.Event()
    before = status("VmRSS")
    t = time.perf_counter()
    threads = [threading.Thread(target=stop.wait) for _ in range(n)]
    for th in threads:
        th.start()
    started = time.perf_counter() - t
    during = status("VmRSS")
    os_threads = status("Threads")
    py_threads = threading.active_count()
    stop.set()
    for th in threads:
        th.join()

    print(json.dumps({
        "python": sys.version.split()[0],
        "interpreter": interpreter(),
        "five_sleepers_units": five / unit,
        "threads": n,
        "rss_per_thread_kib": (during - before) / n,
        "start_per_thread_us": started / n * 1e6,
        "python_threads": py_threads,
        "os_threads": os_threads,
    }))


if __name__ == "__main__":
    main()
