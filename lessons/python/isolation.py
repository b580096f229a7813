"""Python twin of lesson 03: a thread shares the module's variables, a process has its own copy;
and what sending bytes to another process through a pipe costs.

Usage: isolation.py MESSAGE_BYTES REPEATS
Prints JSON: the process ids and the values of x seen by the parent, a thread and a child process,
and the mean seconds for one round trip of a MESSAGE_BYTES message through multiprocessing.Pipe
(sent to a child, which sends back its length)."""
import json
import multiprocessing as mp
import os
import sys
import threading
import time

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

    print(json.dumps({
        "python": sys.version.split()[0],
        "parent_pid": os.getpid(),
        "thread": {"pid": thread_pid, "x_seen": thread_x, "parent_x_after": after_thread},
        "process": {"pid": child_pid, "x_seen": child_x, "parent_x_after": after_process},
        "pipe": {"bytes": size, "seconds_per_message": per_message},
    }))


if __name__ == "__main__":
    main()
