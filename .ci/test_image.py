"""Container checks of the image `concurrency-kitchen` (make test-image).

The image is started twice, on the host network, each time as a learner's launcher starts it:
  - as Binder does: user 1000, Binder's launcher command (python3 -c ..., which execs jupyter-lab)
    with Binder's arguments: a base URL, a random token, the NotebookApp options and their
    ServerApp twins; and Binder's resources, one CPU and 2 GB (`--cpus 1 --memory 2g`);
  - as the README's `docker run` does: the image's default command (JupyterLab, random token).
For each: the server answers, lists the Go (gonb) kernel, and refuses a request without the token;
every process in the container runs as the notebook user (the init included: it is the image's
USER). On the Binder-style container it also measures the first cells a learner runs, runs every
notebook strict at the container unit (.ci/course.json, 250 ms) with the container's kernel (one at a time, printing the
container's peak memory during each), and the browser test on lesson 01
against the container's own server; after the kernels shut down, no cell program, gonb, gopls or
redis-server is left in the container.

Figures (printed, not asserted): time from `docker run` to the server answering, and the latency of
the first setup cell and the first helpers + Gantt cell in a fresh container.

  .venv/bin/python .ci/test_image.py        (make test-image; needs a Docker daemon)
Environment: IMAGE (default concurrency-kitchen), DOCKER (a docker client), COURSE_TIME_UNIT_TEST (the
browser test's unit), COURSE_TIME_UNIT_CONTAINER (the notebooks' unit),
IMAGE_TEST_DOCKER_ARGS (extra `docker run` arguments, e.g. to hide the kernel and see this fail).
"""
import json
import os
import pathlib
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import uuid

import requests
import websocket

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / ".ci"))
from kernelrun import COURSE, SETUP  # noqa: E402

IMAGE = os.environ.get("IMAGE", "concurrency-kitchen")
DOCKER = os.environ.get("DOCKER", "docker")
UNIT = os.environ.get("COURSE_TIME_UNIT_TEST") or COURSE["test_unit"]
# The unit of the notebooks' run at Binder's size: a learner on Binder runs at 1 s, and at the tests'
# 100 ms a band of 10-15 ms missed now and then on the one CPU the cell shares with the kernel, gopls
# and Jupyter (stop 22's two rehearsals: three misses, each passed when run again).
NB_UNIT = os.environ.get("COURSE_TIME_UNIT_CONTAINER") or COURSE["container_unit"]
EXTRA = shlex.split(os.environ.get("IMAGE_TEST_DOCKER_ARGS", ""))
HOME = "/home/jovyan"
# What mybinder.org gives a session: one CPU and 2 GB of memory (BinderHub's cpu and memory limits).
# The Binder-style container runs with them, so every notebook is tested at Binder's size.
BINDER_LIMITS = ["--cpus", "1", "--memory", "2g"]

# What BinderHub's singleuser command does (helm-chart values, singleuser.cmd): JupyterLab 3+ if
# it imports, else the classic notebook server, exec'd with the arguments the spawner passes.
BINDER_LAUNCHER = """\
import os, sys
try:
    import jupyterlab, jupyterlab.labapp
    lab = int(jupyterlab.__version__.split(".")[0]) >= 3
except Exception:
    lab = False
exe = "jupyter-lab" if lab else "jupyter-notebook"
print("launching", exe, file=sys.stderr)
os.execvp(exe, sys.argv)
"""

GANTT_CELL = '''import (
\t"github.com/concurrency-kitchen/course/helpers/chart"
\t"github.com/concurrency-kitchen/course/helpers/timing"
)

%%
tl := timing.NewTimeline()
tl.Add(timing.Span{Lane: "pasta", Task: "boil water", Start: 0, End: 3 * timing.Unit()})
chart.Gantt("first chart", tl.Spans()).Show()
'''

failures = []


def fail(msg):
    print(f"container test FAILED: {msg}", flush=True)
    failures.append(msg)


def docker(*args, check=True, **kw):
    return subprocess.run([DOCKER, *args], check=check, text=True, capture_output=True, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(url, token, name, timeout=90):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if requests.get(f"{url}api/status", params={"token": token}, timeout=2).ok:
                return True
        except requests.RequestException:
            pass
        running = docker("inspect", "-f", "{{.State.Running}}", name, check=False).stdout.strip()
        if running != "true":
            break
        time.sleep(0.1)
    logs = docker("logs", name, check=False)
    fail(f"the server in the container did not answer at {url} within {timeout}s; its log ends:\n"
         f"{(logs.stdout + logs.stderr)[-2000:]}")
    return False


def check_server(url, token, label):
    """The Go kernel is listed; a request without the token is refused."""
    r = requests.get(f"{url}api/kernelspecs", params={"token": token}, timeout=10)
    specs = r.json().get("kernelspecs", {}) if r.ok else {}
    gonb = specs.get("gonb", {}).get("spec", {})
    if gonb.get("display_name") != "Go (gonb)":
        fail(f"{label}: the server does not list the Go (gonb) kernel, so every notebook would ask for "
             f"a kernel; it lists {sorted(specs)} (HTTP {r.status_code})")
    else:
        print(f"{label}: the server lists the kernel {gonb['display_name']!r} ({gonb.get('argv', ['?'])[0]})")
    anon = requests.get(f"{url}api/kernelspecs", timeout=10)
    if anon.status_code not in (401, 403):
        fail(f"{label}: a request without the token got HTTP {anon.status_code}, not 403: the server is open")
    else:
        print(f"{label}: a request without the token is refused (HTTP {anon.status_code})")


def processes(name):
    out = docker("exec", name, "ps", "-eo", "pid=,user:16=,args=").stdout
    procs = []
    for line in out.splitlines():
        pid, user, args = line.split(None, 2)
        if args.startswith("ps -eo"):
            continue
        procs.append((int(pid), user, args))
    return procs


def check_users(name, label):
    procs = processes(name)
    root = [p for p in procs if p[1] == "root"]
    if root:
        fail(f"{label}: processes run as root in the container: {root}")
    init = [p for p in procs if p[0] == 1]
    if not init or "tini" not in init[0][2]:
        fail(f"{label}: PID 1 is not the init (tini), so nothing reaps the cells' children: {init}")
    print(f"{label}: {len(procs)} processes, users {sorted({p[1] for p in procs})}, PID 1 {init[0][2] if init else '?'}")


def check_nothing_left(name, label):
    """After the kernels are gone: only the init and the Jupyter server are left."""
    time.sleep(1)
    left = [p for p in processes(name)
            if p[0] != 1 and not re.search(r"jupyter[- ]lab|jupyter-notebook|python3 -c", p[2])]
    if left:
        fail(f"{label}: left running in the container after its kernels shut down: {left}")
    else:
        print(f"{label}: nothing left in the container but the init and the server")


class Memory:
    """The memory a container used, read from the host's cgroup v1 memory controller (its peak,
    which the host may reset) or cgroup v2 (memory.peak, reset where the kernel allows it)."""

    def __init__(self, name):
        cid = docker("inspect", "-f", "{{.Id}}", name).stdout.strip()
        candidates = [pathlib.Path(f"/sys/fs/cgroup/memory/docker/{cid}"),
                      pathlib.Path(f"/sys/fs/cgroup/system.slice/docker-{cid}.scope"),
                      pathlib.Path(f"/sys/fs/cgroup/docker/{cid}")]
        self.dir = next((d for d in candidates if d.is_dir()), None)
        self.v1 = self.dir is not None and (self.dir / "memory.max_usage_in_bytes").exists()

    def reset(self):
        if self.dir is None:
            return
        try:
            (self.dir / ("memory.max_usage_in_bytes" if self.v1 else "memory.peak")).write_text("0")
        except OSError:
            pass  # not resettable here: the peak is then the container's since it started

    def peak(self):
        """The peak in MB, as text ("?" where it cannot be read)."""
        if self.dir is None:
            return "?"
        try:
            b = int((self.dir / ("memory.max_usage_in_bytes" if self.v1 else "memory.peak")).read_text())
        except (OSError, ValueError):
            return "?"
        return f"{b / 2**20:.0f} MB"


class Kernel:
    """A kernel started by the container's Jupyter server, driven over its websocket."""

    def __init__(self, url, token, name="gonb", path="notebooks"):
        self.url, self.token = url, token
        r = requests.post(f"{url}api/kernels", params={"token": token}, json={"name": name, "path": path}, timeout=60)
        r.raise_for_status()
        self.id = r.json()["id"]
        ws_url = url.replace("http://", "ws://") + f"api/kernels/{self.id}/channels?token={token}"
        self.ws = websocket.create_connection(ws_url, timeout=300)
        self.session = uuid.uuid4().hex

    def execute(self, code, timeout=300):
        """Runs code; returns (seconds until idle, output text, MIME types displayed, error)."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                       "session": self.session, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        start = time.monotonic()
        text, mimes, error = [], [], None
        while time.monotonic() - start < timeout:
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id or msg.get("channel") != "iopub":
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                text.append(content["text"])
            elif kind in ("display_data", "update_display_data", "execute_result"):
                mimes.extend(content.get("data", {}))
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                return time.monotonic() - start, "".join(text), mimes, error
        raise TimeoutError(f"the cell did not finish within {timeout}s")

    def shutdown(self):
        self.ws.close()
        requests.delete(f"{self.url}api/kernels/{self.id}", params={"token": self.token}, timeout=60)


def binder_container():
    name = f"ck-test-binder-{secrets.token_hex(4)}"
    port, token = free_port(), secrets.token_hex(24)
    base_url = "/user/ck-learner/"
    args = ["--ip=127.0.0.1", f"--port={port}", f"--NotebookApp.base_url={base_url}",
            f"--NotebookApp.token={token}", "--NotebookApp.trust_xheaders=True",
            "--NotebookApp.default_url=/lab/tree/notebooks/00-welcome.ipynb"]
    args += [a.replace("--NotebookApp.", "--ServerApp.") for a in args if a.startswith("--NotebookApp.")]
    # An extra argument, as BinderHub's spawner appends its configured args: the browser test
    # reads JupyterLab's state through window.jupyterapp.
    args.append("--LabApp.expose_app_in_browser=True")
    url = f"http://127.0.0.1:{port}{base_url}"
    label = "Binder-style launch"
    # docker run options go before the image: --user 1000 as Binder runs the pod.
    cmd = ["run", "-d", "--rm", "--network", "host", "--name", name, "--user", "1000", *BINDER_LIMITS,
           "-e", f"COURSE_TIME_UNIT={UNIT}", *EXTRA, IMAGE, "python3", "-c", BINDER_LAUNCHER, *args]
    started = time.monotonic()
    docker(*cmd)
    try:
        if not wait_for_server(url, token, name):
            return
        print(f"{label}: the server answered {time.monotonic() - started:.1f}s after docker run")
        check_server(url, token, label)
        check_users(name, label)
        if failures:
            return

        # The first cells a learner runs in a fresh container, through the server.
        t = time.monotonic()
        k = Kernel(url, token)
        try:
            setup_s, _, _, err = k.execute(SETUP)
            if err:
                fail(f"{label}: the setup cell failed: {err}")
            gantt_s, out, mimes, err = k.execute(GANTT_CELL)
            if err or "text/html" not in mimes:
                fail(f"{label}: the first chart cell failed: {err} {out[-500:]} {mimes}")
            total = time.monotonic() - t
            print(f"{label}: figures: first setup cell {setup_s:.2f}s, first helpers + Gantt cell {gantt_s:.2f}s, "
                  f"first chart {total:.2f}s after the server answered (kernel start included)")
            again, _, _, _ = k.execute(GANTT_CELL)
            print(f"{label}: figures: the same Gantt cell again {again:.2f}s")
            # What lesson 00 tells Binder users: %env sets the unit for the cells after it.
            k.execute("%env COURSE_TIME_UNIT 250ms")
            _, out, _, err = k.execute('import (\n\t"fmt"\n\t"github.com/concurrency-kitchen/course/helpers/timing"\n)\n\n'
                                       '%%\nfmt.Println("unit", timing.Unit())')
            if err or "unit 250ms" not in out:
                fail(f"{label}: `%env COURSE_TIME_UNIT 250ms` did not set the unit of the next cell: {err} {out!r}")
            else:
                print(f"{label}: `%env COURSE_TIME_UNIT 250ms` set the next cell's unit ({out.strip()})")
        finally:
            k.shutdown()
        check_nothing_left(name, f"{label}, after the first cells")

        # The browser test on lesson 01, against this server.
        docker("exec", name, "bash", "-c", "mkdir -p test-browser && cp notebooks/01-dinner.ipynb test-browser/")
        env = {**os.environ, "JUPYTER_URL": url, "JUPYTER_TOKEN": token,
               "BROWSER_TEST_PATH": "test-browser/01-dinner.ipynb", "COURSE_TIME_UNIT": UNIT}
        r = subprocess.run(["node", str(ROOT / ".ci" / "browser-test.mjs"), "01-dinner"], env=env)
        if r.returncode:
            fail(f"{label}: the browser test on lesson 01 failed (above)")
        for kern in requests.get(f"{url}api/kernels", params={"token": token}, timeout=10).json():
            requests.delete(f"{url}api/kernels/{kern['id']}", params={"token": token}, timeout=60)
        check_nothing_left(name, f"{label}, after the browser test")

        # Every notebook, strict, at NB_UNIT, with this container's kernel and redis-server, at
        # Binder's size, one at a time, with the container's peak memory during each.
        t = time.monotonic()
        memory = Memory(name)
        # A timed self-check that misses its band says "a busy machine can do that, run the cell
        # again": at Binder's size the kernel, gopls and Jupyter share the one CPU with the cell. A
        # notebook that fails is run once more, as a learner would; it fails the test only when it
        # fails twice, and the first failure is printed above and named below.
        bad, again, peaks = [], [], []
        for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
            memory.reset()
            for attempt in (1, 2):
                r = subprocess.run([DOCKER, "exec", "-e", f"COURSE_TIME_UNIT={NB_UNIT}", name, "python", "-m", "pytest",
                                    "-q", "-p", "no:cacheprovider", "-s", ".ci/test_notebooks.py", "-k", nb.stem])
                if r.returncode == 0 or attempt == 2:
                    break
                again.append(nb.stem)
                print(f"{label}: {nb.stem} failed at Binder's size (above); running it once more")
            peaks.append(f"{nb.stem} {memory.peak()}")
            if r.returncode:
                bad.append(nb.stem)
        if again:
            print(f"{label}: notebooks that failed once and were run again: {again} (failed twice: {bad})")
        print(f"{label}: peak memory of the container (--cpus 1 --memory 2g) per notebook: " + "; ".join(peaks))
        if bad:
            fail(f"{label}: notebooks failed inside the container at Binder's size: {bad} (above)")
        else:
            print(f"{label}: every notebook ran clean in the container at Binder's size, unit {NB_UNIT}, "
                  f"in {time.monotonic() - t:.0f}s")
        # The executed notebooks, for a person to look at; lesson 12 ran on the real redis-server.
        out = ROOT / "test-output" / "container"
        out.mkdir(parents=True, exist_ok=True)
        docker("cp", f"{name}:{HOME}/test-output/.", str(out), check=False)
        queue_nb = out / "12-four-levels.ipynb"
        text = queue_nb.read_text() if queue_nb.exists() else ""
        # The lesson asks for the embedded server once on purpose (asynq on both servers): only an
        # embedded one it fell back to, for want of redis-server, fails the check.
        fell_back = re.search(r"embedded miniredis \((?!asked for\))", text)
        if fell_back or not re.search(r"redis-server \d", text):
            fail(f"{label}: lesson 12 did not run on the image's redis-server ({queue_nb})")
        else:
            print(f"{label}: lesson 12 ran on {re.search(r'redis-server [0-9.]+', text).group(0)} (executed notebooks: {out})")
        check_nothing_left(name, f"{label}, after the notebooks")
        check_users(name, f"{label}, at the end")
    finally:
        docker("stop", "-t", "5", name, check=False)


def default_container():
    name = f"ck-test-run-{secrets.token_hex(4)}"
    port = free_port()
    label = "docker run (default command)"
    started = time.monotonic()
    # JUPYTER_PORT moves the server off 8888 (the host network is shared); the token is its own.
    docker("run", "-d", "--rm", "--network", "host", "--name", name, "-e", f"JUPYTER_PORT={port}", *EXTRA, IMAGE)
    try:
        url = f"http://127.0.0.1:{port}/"
        end, token = time.monotonic() + 90, None
        while time.monotonic() < end and not token:
            logs = docker("logs", name, check=False)
            m = re.search(r"token=([0-9a-f]{32,})", logs.stdout + logs.stderr)
            token = m and m.group(1)
            time.sleep(0.1)
        if not token:
            fail(f"{label}: the server printed no URL with a token; its log ends:\n{(logs.stdout + logs.stderr)[-2000:]}")
            return
        if not wait_for_server(url, token, name):
            return
        print(f"{label}: the server answered {time.monotonic() - started:.1f}s after docker run")
        check_server(url, token, label)
        r = requests.get(f"{url}api/contents/00-welcome.ipynb", params={"token": token, "content": 0}, timeout=10)
        if not r.ok:
            fail(f"{label}: the server's root is not the course's notebooks/ (00-welcome.ipynb: HTTP {r.status_code})")
        check_users(name, label)
    finally:
        docker("stop", "-t", "5", name, check=False)


def main():
    if docker("image", "inspect", IMAGE, check=False).returncode:
        print(f"container test FAILED: no image {IMAGE}: build it first (make image)")
        return 1
    default_container()
    binder_container()
    for _ in range(50):  # `docker stop` returns before --rm has removed the container
        left = docker("ps", "-aq", "--filter", "name=ck-test-").stdout.split()
        if not left:
            break
        time.sleep(0.2)
    if left:
        fail(f"containers left behind: {left}")
    if failures:
        print(f"container test: {len(failures)} check(s) failed")
        return 1
    print("container test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
