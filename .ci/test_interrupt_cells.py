"""Every cell of the uptime and four-levels lessons stops when interrupted, at any moment.

For each lesson, one GoNB kernel (the course's, with its interrupt patch) runs the setup and
declaration cells, then takes every other cell in turn and interrupts it twice at a 1 s unit:

  - during its build, 0.05 s after the cell was sent (plain GoNB v0.11.5 lost that interrupt and
    ran the cell to its end);
  - while its program runs: 0.05 s after the cell's own program (a new process of this kernel
    whose executable GoNB built) appeared, so that even a short cell is caught running; a cell
    whose program ends within that is reported as ended before the interrupt.

Each time the cell must end within 2 s of the interrupt and leave nothing behind: no cell program
(a process whose executable is in GoNB's gonb_* folder), no course child process, no
redis-server, no listening TCP port, no course-* temp file that was not there before. The kernel
gets a temp folder of its own (TMPDIR), where GoNB, the cells and their servers put their files,
so that only its own files are counted: another session's /tmp/course-* is not this cell's. Processes
and ports count only when they descend from this test's kernel (they carry its MARK variable,
which every process the kernel starts inherits): on a shared machine, other people's kernels,
servers and tests are not this cell's leftovers. Then the
cell runs again, whole, at a 100 ms unit and strict, and must pass: an interrupt breaks nothing.
The figures (how long each cell took to end after each interrupt) are printed.
"""
import os
import pathlib
import queue
import atexit
import re
import shutil
import tempfile
import time

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

ROOT = pathlib.Path(__file__).resolve().parent.parent
LESSONS = ["10-uptime", "11-never-stops", "12-four-levels", "13-event-loop"]
DURING_BUILD = 0.05  # seconds after sending the cell
AFTER_START = 0.05   # seconds after the cell's program started
NO_PROGRAM = 30.0    # seconds after sending, to give up waiting for the cell's program
MAX_END = 2.0        # seconds from the interrupt to the cell's end
TMP = tempfile.mkdtemp(prefix="ck-interrupt-")  # the test kernel's TMPDIR, removed at the end
atexit.register(shutil.rmtree, TMP, True)
MARK = f"COURSE_TEST_KERNEL={os.getpid()}-{time.time_ns()}".encode()  # in this test's kernel's environment


def alive(pid):
    try:
        status = pathlib.Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return not re.search(r"^State:\s+Z", status, re.M)


def marked():
    """The PIDs of the processes that descend from this test's kernel."""
    pids = set()
    for d in pathlib.Path("/proc").glob("[0-9]*"):
        try:
            if MARK in (d / "environ").read_bytes().split(b"\0"):
                pids.add(int(d.name))
        except OSError:
            continue
    return pids


def processes():
    """The PIDs of this kernel's cell programs, course child processes and redis-servers, with what each is."""
    found = {}
    for d in (pathlib.Path(f"/proc/{pid}") for pid in marked()):
        pid = int(d.name)
        try:
            exe = os.readlink(d / "exe")
        except OSError:
            exe = ""
        try:
            comm = (d / "comm").read_text().strip()
            env = (d / "environ").read_bytes()
        except OSError:
            continue
        if exe.startswith(TMP + "/gonb_"):
            found[pid] = f"cell program {exe}"
        elif b"COURSE_PROC_ROLE=" in env:
            found[pid] = f"course child {comm}"
        elif comm == "redis-server":
            found[pid] = "redis-server"
    return {p: w for p, w in found.items() if alive(p)}


def listening_ports():
    """The TCP ports that processes of this test's kernel listen on."""
    inodes = {}
    for name in ("tcp", "tcp6"):
        try:
            lines = pathlib.Path(f"/proc/net/{name}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[3] == "0A":  # LISTEN
                inodes[f[9]] = int(f[1].rsplit(":", 1)[1], 16)
    ports = set()
    for pid in marked():
        try:
            fds = list(pathlib.Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                ports.add(inodes[target[8:-1]])
    return ports


def course_temp_files():
    return set(pathlib.Path(TMP).glob("course-*"))


def snapshot():
    return processes(), listening_ports(), course_temp_files()


def left_behind(before):
    """What a cell left that was not there before it ran."""
    procs, ports, files = snapshot()
    left = []
    left += [f"{w} (pid {p})" for p, w in procs.items() if p not in before[0]]
    left += [f"listening port {p}" for p in ports - before[1]]
    left += [f"temp file {f}" for f in files - before[2]]
    return left


def cells(lesson):
    """The setup cell, and every other code cell (declarations, and the ones that run something)."""
    nb = nbformat.read(ROOT / "notebooks" / f"{lesson}.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    return code[0], code[1:]


def wait_idle(kc, msg_id, timeout=300):
    """Collects a cell's outputs until it ends: (text, errors)."""
    text, errors = [], []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(deadline - time.monotonic(), 1))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        t = msg["msg_type"]
        if t == "stream":
            text.append(msg["content"]["text"])
            if msg["content"]["name"] == "stderr" and "self-check failed" in msg["content"]["text"]:
                errors.append(msg["content"]["text"])
        elif t == "error":
            errors.append(msg["content"]["evalue"])
        elif t == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(text), errors


def interrupted_run(km, kc, code, moment, before_procs=()):
    """Sends code and interrupts it at moment ("build" or "run"). Returns the seconds from the
    interrupt to the cell's end (None if it ended before the interrupt) and the cell's last words
    (its error, or its last line)."""
    msg_id = kc.execute(code)
    sent = time.monotonic()
    if moment == "build":
        time.sleep(DURING_BUILD)
    else:
        # Watch for the cell's own program (a new process of this kernel running a binary GoNB
        # built) and interrupt AFTER_START after it appears: the cell is then surely running, however
        # short it is. A cell that ends meanwhile was not interrupted.
        known = set(before_procs)
        seen = None
        while time.monotonic() - sent < NO_PROGRAM:
            try:
                msg = kc.get_iopub_msg(timeout=0.01)
                if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" \
                        and msg["content"]["execution_state"] == "idle":
                    return None, "ended before the interrupt"
            except queue.Empty:
                pass
            if seen is None and any(p not in known and w.startswith("cell program") for p, w in processes().items()):
                seen = time.monotonic()
            if seen is not None and time.monotonic() - seen >= AFTER_START:
                break
    at = time.monotonic()
    km.interrupt_kernel()
    text, errors = wait_idle(kc, msg_id, timeout=60)
    took = time.monotonic() - at
    last = errors[-1] if errors else (text.strip().splitlines() or [""])[-1]
    return took, last.strip()[:100]


def run_whole(kc, code):
    msg_id = kc.execute(code)
    return wait_idle(kc, msg_id)


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_cell_stops_when_interrupted(lesson):
    setup, rest = cells(lesson)
    os.environ.update(COURSE_TIME_UNIT="1s", COURSE_STRICT="1")
    key, value = MARK.decode().split("=", 1)
    km, kc = start_new_kernel(kernel_name="gonb", cwd=str(ROOT / "notebooks"), env={**os.environ, key: value, "TMPDIR": TMP})
    problems = []
    try:
        _, errors = run_whole(kc, setup)
        assert not errors, f"{lesson} setup failed: {errors}"
        for n, code in enumerate(rest, start=1):  # n: the code cell's index, the setup cell's 0
            if "%%" not in code:  # declarations: GoNB keeps them for the later cells
                _, errors = run_whole(kc, code)
                assert not errors, f"{lesson} cell {n} (declarations) failed: {errors}"
                continue
            for moment in ("build", "run"):
                before = snapshot()
                took, said = interrupted_run(km, kc, code, moment, before[0])
                time.sleep(0.3)  # what an ended cell stops, it stops at once; give the OS a moment
                left = left_behind(before)
                shown = "ended before the interrupt" if took is None else f"ended {took:.2f}s after the interrupt"
                print(f"{lesson} cell {n}, interrupted during its {moment}: {shown}; {said!r}")
                if took is not None and took > MAX_END:
                    problems.append(f"cell {n} ({moment}): ended {took:.2f}s after the interrupt")
                if left:
                    problems.append(f"cell {n} ({moment}): left {left}")
            run_whole(kc, "%env COURSE_TIME_UNIT 100ms")
            started = time.monotonic()
            _, errors = run_whole(kc, code)
            run_whole(kc, "%env COURSE_TIME_UNIT 1s")
            print(f"{lesson} cell {n}, run again at 100 ms: {'passed' if not errors else errors[0][:200]} "
                  f"({time.monotonic() - started:.1f}s)")
            if errors:
                problems.append(f"cell {n}: run again after the interrupts, it failed: {errors[0][:300]}")
    finally:
        km.shutdown_kernel(now=True)
        os.environ.pop("COURSE_TIME_UNIT", None)
        os.environ.pop("COURSE_STRICT", None)
    assert not problems, "\n".join(problems)
