"""Python twin of lesson 06: a thread shares the module's variables, a process has its own copy;
and what sending bytes to another process through a pipe costs.

Usage: isolation.py MESSAGE_BYTES REPEATS
Prints JSON: the process ids and the values of x seen by the parent, a thread and a child process
(started by fork); what a child sees with each start method this Python has (fork copies the
parent's memory as it is; spawn and forkserver start a fresh interpreter that imports this module
again); the seed's demonstration (a thread and a process each read x three times while the main
thread sets it to 1, 2, 3), line by line; and the mean seconds for one round trip of a
MESSAGE_BYTES message through multiprocessing.Pipe (sent to a child, which sends back its
length)."""
import json
import multiprocessing as mp
import os
import sys
import threading
import time

from interp import interpreter

x = 1


def bump(report):
    global x
    x += 1
    report.append((os.getpid(), x))


def bump_in_child(conn):
    global x
    x += 1
    conn.send((os.getpid(), x))
    conn.close()


def read_x(tag, lines, pause):
    pid = os.getpid()
    for _ in range(3):
        lines.append(f"{tag}-{pid} thinks X is {x}")
        time.sleep(pause)


def read_x_in_child(tag, conn, pause):
    lines = []
    read_x(tag, lines, pause)
    conn.send(lines)
    conn.close()


def seed_demo(ctx, pause=0.02):
    """The seed's program, with the starts and joins it leaves out, and short pauses so that the
    three readers take turns as in its printed output. The lines come back in the order each
    reader wrote them; a process's lines travel through a pipe."""
    global x
    x = 0
    lines = []
    parent_end, child_end = ctx.Pipe()
    t = threading.Thread(target=read_x, args=("Thread", lines, pause))
    p = ctx.Process(target=read_x_in_child, args=("Process", child_end, pause))
    t.start()
    p.start()
    main_pid = os.getpid()
    for _ in range(3):
        time.sleep(pause / 2)
        x += 1
        lines.append(f"Main-{main_pid} sets X to {x}")
        time.sleep(pause / 2)
    t.join()
    lines += parent_end.recv()
    p.join()
    x = 1
    return lines


def child_view(method):
    """What a child started by method sees of x, after the parent set it to 2."""
    global x
    x = 2
    ctx = mp.get_context(method)
    parent_end, child_end = ctx.Pipe()
    p = ctx.Process(target=bump_in_child, args=(child_end,))
    p.start()
    pid, seen = parent_end.recv()
    p.join()
    x = 1
    return {"pid": pid, "x_seen": seen, "parent_x": 2}


def echo_length(conn):
    while True:
        msg = conn.recv_bytes()
        if not msg:
            break
        conn.send(len(msg))


def main():
    size, repeats = int(sys.argv[1]), int(sys.argv[2])
    ctx = mp.get_context("fork")

    seen = []
    t = threading.Thread(target=bump, args=(seen,))
    t.start()
    t.join()
    thread_pid, thread_x = seen[0]
    after_thread = x

    parent_end, child_end = ctx.Pipe()
    p = ctx.Process(target=bump_in_child, args=(child_end,))
    p.start()
    child_pid, child_x = parent_end.recv()
    p.join()
    after_process = x

    parent_end, child_end = ctx.Pipe()
    p = ctx.Process(target=echo_length, args=(child_end,))
    p.start()
    payload = os.urandom(size)
    parent_end.send_bytes(payload)  # warm up
    parent_end.recv()
    start = time.perf_counter()
    for _ in range(repeats):
        parent_end.send_bytes(payload)
        assert parent_end.recv() == size
    per_message = (time.perf_counter() - start) / repeats
    parent_end.send_bytes(b"")
    p.join()

    methods = {m: child_view(m) for m in mp.get_all_start_methods()}
    demo = seed_demo(ctx)

    print(json.dumps({
        "python": sys.version.split()[0],
        "interpreter": interpreter("fork"),
        "by_start_method": methods,
        "seed_demo": demo,
        "parent_pid": os.getpid(),
        "thread": {"pid": thread_pid, "x_seen": thread_x, "parent_x_after": after_thread},
        "process": {"pid": child_pid, "x_seen": child_x, "parent_x_after": after_process},
        "pipe": {"bytes": size, "seconds_per_message": per_message},
    }))


if __name__ == "__main__":
    main()
