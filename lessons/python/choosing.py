"""Python twin of lessons 14-16: the comparison table's rows for a Python thread and a Python process.

Usage: choosing.py
Prints one JSON document. Every figure is the best of three runs (noise only adds time):
- start_join_us: start a thread / a process (multiprocessing, "fork") that does nothing, and join it;
- memory_kib: resident memory each waiting thread adds (VmRSS delta / count) and the kernel stack
  each adds (/proc/meminfo KernelStack, machine-wide); a waiting forked process's private memory
  (Private_Clean + Private_Dirty from /proc/PID/smaps_rollup) and its RSS;
- switch_us: one hand-off (half a round trip) of a ping-pong between two threads over two
  queue.Queue, and between two processes over two os.pipe()s, one byte at a time;
- talk_us: one value through a queue.Queue from one thread to another; one addition to a counter
  shared by two threads under a threading.Lock; one round trip to a ProcessPoolExecutor worker
  (submit, then result);
- crash: whether an exception raised in a thread ends the program, and what a worker that dies in
  a ProcessPoolExecutor does to the other tasks.
- interpreter: this Python's version, whether its GIL is on, the start method (interp.py).
Processes are measured first, while this program has no other thread: forking a program with
threads is unsafe."""
import json
import multiprocessing as mp
import os
import queue
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from interp import interpreter

FORK = mp.get_context("fork")


def best(run, repeats=3):
    return min(run() for _ in range(repeats))


def field(path, key):
    """A number from a /proc file of 'Key: value' lines, such as VmRSS (in KiB)."""
    with open(path) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {key} in {path}")


def nothing():
    pass


def echo(v):
    return v


def cook(dish):
    if dish == 3:
        os._exit(70)  # the worker dies, as a crash in native code would take it down
    time.sleep(0.05)
    return dish


# --- processes (no other thread exists yet) ---

def process_start_join(n=20):
    t = time.perf_counter()
    for _ in range(n):
        p = FORK.Process(target=nothing)
        p.start()
        p.join()
    return (time.perf_counter() - t) / n * 1e6


def wait_on(fd):
    os.read(fd, 1)


def process_memory(n=4):
    r, w = os.pipe()
    procs = [FORK.Process(target=wait_on, args=(r,)) for _ in range(n)]
    for p in procs:
        p.start()
    time.sleep(0.2)  # let each child settle into its wait
    private = rss = 0
    for p in procs:
        rollup = f"/proc/{p.pid}/smaps_rollup"
        private += field(rollup, "Private_Clean") + field(rollup, "Private_Dirty")
        rss += field(rollup, "Rss")
    os.write(w, b"x" * n)
    for p in procs:
        p.join()
    os.close(r)
    os.close(w)
    return private / n, rss / n


def echo_bytes(inp, out, parents):
    for fd in parents:  # the fork copied the parent's ends too: without closing them, no end of file
        os.close(fd)
    while True:
        b = os.read(inp, 1)
        if not b:
            return
        os.write(out, b)


def process_switch(n=10000):
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    p = FORK.Process(target=echo_bytes, args=(to_child_r, from_child_w, (to_child_w, from_child_r)))
    p.start()
    os.close(to_child_r)
    os.close(from_child_w)

    def run():
        t = time.perf_counter()
        for _ in range(n):
            os.write(to_child_w, b"x")
            os.read(from_child_r, 1)
        return (time.perf_counter() - t) / (2 * n) * 1e6

    result = best(run)
    os.close(to_child_w)
    p.join()
    os.close(from_child_r)
    return result


def pool_round_trip(n=500):
    with ProcessPoolExecutor(max_workers=1, mp_context=FORK) as pool:
        pool.submit(echo, 0).result()  # the worker is started

        def run():
            t = time.perf_counter()
            for i in range(n):
                pool.submit(echo, i).result()
            return (time.perf_counter() - t) / n * 1e6

        return best(run)


def pool_crash():
    ok = failed = 0
    with ProcessPoolExecutor(max_workers=2, mp_context=FORK) as pool:
        futures = [pool.submit(cook, dish) for dish in range(6)]
        for f in futures:
            try:
                f.result()
                ok += 1
            except BrokenProcessPool:
                failed += 1
    return ok, failed


# --- threads ---

def thread_start_join(n=1000):
    t = time.perf_counter()
    for _ in range(n):
        th = threading.Thread(target=nothing)
        th.start()
        th.join()
    return (time.perf_counter() - t) / n * 1e6


def thread_memory(n=200):
    stop = threading.Event()
    before = field("/proc/self/status", "VmRSS")
    kernel = field("/proc/meminfo", "KernelStack")
    threads = [threading.Thread(target=stop.wait) for _ in range(n)]
    for th in threads:
        th.start()
    rss = (field("/proc/self/status", "VmRSS") - before) / n
    kstack = (field("/proc/meminfo", "KernelStack") - kernel) / n
    stop.set()
    for th in threads:
        th.join()
    return rss, kstack


def thread_switch(n=5000):
    ping, pong = queue.Queue(), queue.Queue()

    def echo_values():
        while (v := ping.get()) is not None:
            pong.put(v)

    th = threading.Thread(target=echo_values)
    th.start()

    def run():
        t = time.perf_counter()
        for i in range(n):
            ping.put(i)
            pong.get()
        return (time.perf_counter() - t) / (2 * n) * 1e6

    result = best(run)
    ping.put(None)
    th.join()
    return result


def queue_values(n=50000):
    q = queue.Queue(maxsize=128)

    def send():
        for i in range(n):
            q.put(i)

    th = threading.Thread(target=send)
    t = time.perf_counter()
    th.start()
    for _ in range(n):
        q.get()
    th.join()
    return (time.perf_counter() - t) / n * 1e6


def locked_adds(n=200000):
    lock = threading.Lock()
    count = 0

    def add():
        nonlocal count
        for _ in range(n // 2):
            with lock:
                count += 1

    threads = [threading.Thread(target=add) for _ in range(2)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert count == n // 2 * 2
    return (time.perf_counter() - t) / n * 1e6


def thread_exception_ends_program():
    """Raises in a thread, then shows whether the program goes on."""
    caught = []
    old = threading.excepthook
    threading.excepthook = lambda args: caught.append(args.exc_type.__name__)  # keep the traceback quiet
    th = threading.Thread(target=lambda: {}["soup"])  # a KeyError in the thread
    th.start()
    th.join()
    threading.excepthook = old
    went_on = True  # this line runs only if the exception left the program running
    return {"program_went_on": went_on, "exception": caught[0] if caught else None}


def main():
    p_start = best(process_start_join)
    p_private, p_rss = process_memory()
    p_switch = process_switch()
    p_round = pool_round_trip()
    crash_ok, crash_failed = pool_crash()

    t_start = best(thread_start_join)
    t_rss, t_kstack = thread_memory()
    t_switch = thread_switch()
    q_value = best(queue_values)
    lock_add = best(locked_adds)
    thread_crash = thread_exception_ends_program()

    print(json.dumps({
        "python": sys.version.split()[0],
        "interpreter": interpreter("fork"),
        "start_join_us": {"thread": t_start, "process": p_start},
        "memory_kib": {"thread_rss": t_rss, "thread_kernel_stack": t_kstack,
                       "process_private": p_private, "process_rss": p_rss},
        "switch_us": {"threads": t_switch, "processes": p_switch},
        "talk_us": {"queue_value": q_value, "locked_add": lock_add, "pool_round_trip": p_round},
        "crash": {"thread": thread_crash, "pool_tasks": 6, "pool_ok": crash_ok, "pool_broken": crash_failed},
    }))


if __name__ == "__main__":
    main()
