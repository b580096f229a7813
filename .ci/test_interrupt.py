"""An interrupted cell ends quickly and leaves no child process.

Runs lesson 03's processes dinner through the real GoNB kernel at one second a unit (so the
dinner would take 5 s), interrupts the kernel once the three children are running, and checks
that the cell ends within 2 s and that none of the children is left. Then the same with lesson
12's job queue, interrupted while its redis-server and three worker processes run.
"""
import os
import pathlib
import re
import shutil
import time

import nbformat
from jupyter_client.manager import start_new_kernel

from kernelrun import run

ROOT = pathlib.Path(__file__).resolve().parent.parent
LESSON = ROOT / "notebooks" / "03-three-cooks.ipynb"
QUEUE_LESSON = ROOT / "notebooks" / "12-four-levels.ipynb"


def cells_for(nb, tag):
    """The sources of the code cells a run of the cell tagged tag needs, in order: the setup cell,
    every declaration-only cell (no %%) before it, and the tagged cell itself."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    targets = [i for i, c in enumerate(code) if tag in c.get("metadata", {}).get("tags", [])]
    assert len(targets) == 1, f"{len(targets)} cells tagged {tag!r}, want 1"
    t = targets[0]
    before = [c.source for c in code[1:t] if "%%" not in c.source]
    return [code[0].source, *before, code[t].source]


def interrupt(km, kc, msg_id):
    """Interrupts the kernel and returns the seconds until the cell msg_id ended."""
    started = time.monotonic()
    km.interrupt_kernel()
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return time.monotonic() - started


def redis_servers():
    """The PIDs of the running redis-server processes."""
    pids = []
    for comm in pathlib.Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "redis-server":
                pids.append(int(comm.parent.name))
        except OSError:
            pass
    return {p for p in pids if alive(p)}


def alive(pid):
    try:
        state = pathlib.Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return not re.search(r"^State:\s+Z", state, re.M)  # a zombie is already dead


def children_with_role():
    pids = []
    for env in pathlib.Path("/proc").glob("[0-9]*/environ"):
        try:
            if b"COURSE_PROC_ROLE=" in env.read_bytes():
                pids.append(int(env.parent.name))
        except OSError:
            pass
    return [p for p in pids if alive(p)]


def test_interrupt_kills_the_children():
    nb = nbformat.read(LESSON, as_version=4)
    *needed, cell = cells_for(nb, "interrupt-target")
    before = set(children_with_role())
    os.environ["COURSE_TIME_UNIT"] = "1s"
    km, kc = start_new_kernel(kernel_name="gonb", cwd=str(LESSON.parent))
    try:
        for code in needed:
            run(kc, code, timeout=180)
        msg_id = kc.execute(cell)
        pids, text = [], ""
        deadline = time.monotonic() + 120
        while len(pids) < 3:
            assert time.monotonic() < deadline, f"the children did not start: {text}"
            msg = kc.get_iopub_msg(timeout=120)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
                text += msg["content"]["text"]
                pids = [int(p) for p in re.findall(r"in process (\d+)", text)]
        assert all(alive(p) for p in pids), "a child died before the interrupt"
        time.sleep(0.5)
        took = interrupt(km, kc, msg_id)
        print(f"interrupted cell ended {took:.2f}s after the interrupt; children were {pids}")
        assert took < 2.0, f"the interrupted cell took {took:.2f}s to end"
        time.sleep(0.2)
        left = [p for p in pids if alive(p)]
        assert not left, f"children left running after the interrupt: {left}"
        assert set(children_with_role()) <= before, "a course child process is still running"
        # The kernel survives and runs the next cell.
        assert "still here" in run(kc, '%%\nfmt.Println("still here")', timeout=180)
    finally:
        km.shutdown_kernel(now=True)
        os.environ.pop("COURSE_TIME_UNIT", None)


def test_interrupt_stops_the_job_queue():
    nb = nbformat.read(QUEUE_LESSON, as_version=4)
    cells = cells_for(nb, "interrupt-target")
    workers_before, redis_before = set(children_with_role()), redis_servers()
    os.environ["COURSE_TIME_UNIT"] = "1s"
    km, kc = start_new_kernel(kernel_name="gonb", cwd=str(QUEUE_LESSON.parent))
    try:
        for code in cells[:-1]:
            run(kc, code, timeout=180)
        msg_id = kc.execute(cells[-1])
        text = ""
        deadline = time.monotonic() + 120
        while "machine 3 joins" not in text:
            assert time.monotonic() < deadline, f"machine 3 did not join: {text}"
            msg = kc.get_iopub_msg(timeout=120)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
                text += msg["content"]["text"]
        time.sleep(0.5)
        workers = set(children_with_role()) - workers_before
        servers = redis_servers() - redis_before
        assert len(workers) >= 2, f"worker processes running before the interrupt: {workers}"
        if shutil.which("redis-server"):
            assert servers, "no redis-server ran, though this machine has one"
        took = interrupt(km, kc, msg_id)
        print(f"interrupted job queue ended {took:.2f}s after the interrupt; workers {sorted(workers)}, "
              f"redis-server {sorted(servers)}")
        assert took < 2.0, f"the interrupted cell took {took:.2f}s to end"
        time.sleep(0.3)
        assert not [p for p in workers if alive(p)], "a worker process is still running"
        assert not [p for p in servers if alive(p)], "redis-server is still running"
    finally:
        km.shutdown_kernel(now=True)
        os.environ.pop("COURSE_TIME_UNIT", None)
