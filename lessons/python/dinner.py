"""Python twin of lesson 02: the seed's GIL dinner, cooked by real CPython threads.

Usage: dinner.py UNIT_SECONDS ORDER SWITCH_INTERVAL_SECONDS [START_AT]
  ORDER is the dishes in the order their threads start, e.g. pasta,meatballs,salad.
  START_AT (seconds since the epoch) is when to start cooking, so that several twins started at
  once cook from the same moment, after all of them have started up; it defaults to now.

A step that needs the cook's hands (sear, chop, assemble) is a C sleep called through
ctypes.PyDLL, which keeps the GIL for the whole call, as the seed's Cython c_sleep did; a step that
only waits (water, oven) is time.sleep, which lets the GIL go. sys.setswitchinterval sets how long a
waiting thread waits before it asks the running one to let go.

Prints JSON: the interpreter, the switch interval, the dinner's time in units, and its spans in
units: each step, and "waiting for the GIL" where a thread was ready but could not run: after its
sleep ended, between two steps, or from its start() to its first line. The lane "main" is the
thread that starts the others: Thread.start() returns only once the new thread has run, and then
main needs the GIL back, so a thread that keeps the GIL can delay the start of the next ones.
"late" is how many seconds after START_AT the twin began (a busy machine starts it late).
"""
import ctypes
import json
import sys
import threading
import time

from interp import interpreter

_usleep = ctypes.PyDLL(None).usleep  # PyDLL: the GIL is NOT released during the call
_usleep.argtypes = [ctypes.c_uint]

RECIPES = {
    "pasta": [("boil water", 3, False), ("cook pasta", 1, False)],
    "meatballs": [("preheat oven", 2, False), ("sear meatballs", 1, True), ("finish meatballs", 2, False)],
    "salad": [("chop vegetables", 3, True), ("assemble salad", 1, True)],
}

# A gap shorter than this is Python running between two calls, not a wait: 0.02 units, and at
# least 2 ms (a thread switch, a thread's start).
GAP_UNITS, GAP_SECONDS = 0.02, 0.002


def cook(dish, unit, gap, t0, asked, spans):
    now = lambda: (time.perf_counter() - t0) / unit  # noqa: E731
    prev = now()
    if prev - asked > gap:
        spans.append((dish, "waiting for the GIL", asked, prev))
    for task, units, holds in RECIPES[dish]:
        before = now()
        if before - prev > gap:
            spans.append((dish, "waiting for the GIL", prev, before))
        if holds:
            _usleep(int(units * unit * 1e6))
        else:
            time.sleep(units * unit)
        after = now()
        # The step itself lasted units; any more is the wait to run Python again after it (for
        # a held step: a switch noticed as soon as the C call returned).
        ready = min(before + units, after)
        spans.append((dish, task, before, ready))
        if after - ready > gap:
            spans.append((dish, "waiting for the GIL", ready, after))
        prev = after


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    unit = float(sys.argv[1])
    order = sys.argv[2].split(",")
    interval = float(sys.argv[3])
    unknown = [d for d in order if d not in RECIPES]
    if unknown or unit <= 0 or interval <= 0:
        sys.exit(f"dinner.py: bad arguments {sys.argv[1:]}: dishes are {sorted(RECIPES)}")
    sys.setswitchinterval(interval)
    gap = max(GAP_UNITS, GAP_SECONDS / unit)
    start_at = float(sys.argv[4]) if len(sys.argv) == 5 else time.time()
    late = max(0.0, time.time() - start_at)
    time.sleep(max(0.0, start_at - time.time()))

    spans = []
    t0 = time.perf_counter()
    threads = []
    for dish in order:
        asked = (time.perf_counter() - t0) / unit
        th = threading.Thread(target=cook, args=(dish, unit, gap, t0, asked, spans), name=dish)
        th.start()
        started = (time.perf_counter() - t0) / unit
        if started - asked > gap:
            spans.append(("main", f"waiting to start {dish} (for the GIL)", asked, started))
        threads.append(th)
    for th in threads:
        th.join()
    total = (time.perf_counter() - t0) / unit

    print(json.dumps({
        "interpreter": interpreter(),
        "switch_interval": sys.getswitchinterval(),
        "order": order,
        "units": total,
        "late": late,
        "spans": [{"lane": l, "task": k, "start": s, "end": e} for l, k, s, e in spans],
    }))


if __name__ == "__main__":
    main()
