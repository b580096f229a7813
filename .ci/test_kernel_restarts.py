"""What GoNB kernels leave behind when Jupyter restarts and shuts them down.

Nine kernels run a cell each; one of them is restarted five times (running a cell after each
restart); then all nine are shut down. Jupyter's server does both gracefully (a shutdown_request,
then a kill only if the kernel has not exited in time); a kernel that hangs, crashes or is killed
for memory gets the kill: SIGKILL to its process group. Both ways are run. Afterwards no gopls
started by these kernels may be running, and a new kernel removes the /tmp/gonb_* folders of the
killed ones (the course's GoNB patch, .ci/gonb_patch.py), with the named pipes of a cell that was
running when its kernel was shut down (the patch makes them in the kernel's folder). The figures (gopls processes and their
memory while the kernels ran, what was left) are printed.

Measured with plain GoNB v0.11.5: the graceful way leaves nothing; the kill leaves every gopls
(28 processes, 1,169 MB) and 28 /tmp/gonb_* folders.

The restarted kernel also draws a chart after each restart, which starts that kernel's picture
renderer (helpers/chart/internal/picture/renderer.go: a Node.js process in a session of its own, which the kill of
the kernel's process group does not reach): every one of them must end with its kernel.
"""
import pathlib
import time

import pytest
from jupyter_client.manager import KernelManager

from kernelrun import SETUP

CHART = '''import (
	"github.com/concurrency-kitchen/course/helpers/chart"
	"github.com/concurrency-kitchen/course/helpers/display"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

%%
if !display.InNotebook() {
	panic("not in a notebook: no picture would be drawn")
}
chart.Gantt("restart", []timing.Span{{Lane: "cook", Task: "chop", End: timing.Unit()}}).Show()
'''


def gopls():
    """PID -> resident memory in kB of every running gopls."""
    found = {}
    for d in pathlib.Path("/proc").glob("[0-9]*"):
        try:
            if (d / "comm").read_text().strip() != "gopls":
                continue
            status = (d / "status").read_text()
        except OSError:
            continue
        rss = [line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")]
        found[int(d.name)] = int(rss[0]) if rss else 0
    return found


def renderers():
    """The PIDs of the kernels' chart picture renderers (their socket is a ck-charts-* path)."""
    found = set()
    for d in pathlib.Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (d / "cmdline").read_bytes()
        except OSError:
            continue
        if b"/ck-charts-" in cmdline and b"node" in cmdline.split(b"\0")[0]:
            found.add(int(d.name))
    return found


def temp_dirs():
    return set(pathlib.Path("/tmp").glob("gonb_*"))


def fifos():
    """The named pipes GoNB made for its cells' programs: in /tmp (plain GoNB) or in a kernel's folder."""
    return set(pathlib.Path("/tmp").glob("gonb_pipe_*")) | set(pathlib.Path("/tmp").glob("gonb_*/gonb_pipe_*"))


def run_cell(km, code):
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        reply = kc.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()


@pytest.mark.parametrize("now", [False, True], ids=["graceful", "killed"])
def test_kernels_leave_nothing(now):
    gopls_before, dirs_before, renderers_before, fifos_before = set(gopls()), temp_dirs(), renderers(), fifos()
    kernels, busy = [], None
    try:
        for _ in range(9):
            km = KernelManager(kernel_name="gonb")
            km.start_kernel()
            kernels.append(km)
            run_cell(km, '%%\nfmt.Println("hello")')
        time.sleep(1)
        running = {p: r for p, r in gopls().items() if p not in gopls_before}
        print(f"{'killed' if now else 'graceful'}: 9 kernels ran {len(running)} gopls, "
              f"{sum(running.values()) // 1024} MB resident")
        drew = set()
        for _ in range(5):
            kernels[0].restart_kernel(now=now)
            run_cell(kernels[0], '%%\nfmt.Println("again")')
            run_cell(kernels[0], SETUP)
            run_cell(kernels[0], CHART)
            drew |= renderers() - renderers_before
        print(f"the restarted kernel drew a chart after each restart: {len(drew)} picture renderers started")
        assert len(drew) == 5, f"{len(drew)} renderers for 5 kernels that drew a chart"
        # One kernel is shut down while its cell's program runs: plain GoNB, killed, left that
        # program's two named pipes in /tmp.
        busy = kernels[1].client()
        busy.start_channels()
        busy.execute('%%\ntime.Sleep(time.Minute)')
        deadline = time.monotonic() + 60
        while not fifos() - fifos_before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert fifos() - fifos_before, "the busy kernel's cell program did not start within 60 s"
    finally:
        if busy:
            busy.stop_channels()
        for km in kernels:
            km.shutdown_kernel(now=now)
    deadline = time.monotonic() + 5
    while (left := {p: r for p, r in gopls().items() if p not in gopls_before}) and time.monotonic() < deadline:
        time.sleep(0.2)
    stale = temp_dirs() - dirs_before
    print(f"after 5 restarts and 9 shutdowns: {len(left)} gopls left ({sum(left.values()) // 1024} MB), "
          f"{len(stale)} /tmp/gonb_* folders")
    assert not left, f"gopls left running: {sorted(left)}"
    while (ended := renderers() - renderers_before) and time.monotonic() < deadline + 5:
        time.sleep(0.2)
    assert not ended, f"picture renderers left running after their kernels: {sorted(ended)}"
    # A new kernel removes the folders of the kernels that are gone.
    km = KernelManager(kernel_name="gonb")
    km.start_kernel()
    try:
        run_cell(km, '%%\nfmt.Println("clean")')
    finally:
        km.shutdown_kernel(now=False)
    still = temp_dirs() - dirs_before
    assert not still, f"folders of ended kernels left in /tmp: {sorted(map(str, still))}"
    pipes = fifos() - fifos_before
    assert not pipes, f"named pipes of a cell that ran when its kernel ended, left in /tmp: {sorted(map(str, pipes))}"
