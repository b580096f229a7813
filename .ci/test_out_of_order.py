"""A cell run before a lesson's setup cell gets one sentence saying what to do.

Every lesson starts with the setup cell: the module lines (kernelrun.SETUP: `!*sh .../bin/course-module`,
which adds the course's module to GoNB's go.mod, and `%noautoget`), which GoNB runs first, then the
declarations (the helpers' imports, `var lesson`, `lesson.Setup()`). The tests below send the module
lines alone as "the module cell", as a notebook of one's own would. A learner who runs a later cell first, in a new kernel, gets from GoNB:

  - for a cell that imports a helper: `go get` fails (the package is in no module GoNB's go.mod
    knows); plain GoNB v0.11.5 said only `failed to run "/usr/local/go/bin/go get": exit status 1`,
    after 0.26 s (its HTML report adds go get's line, a proxy's 403 or 404 for the path);
  - for a cell that uses `lesson`: the compiler's `undefined: lesson`, after 0.07 s, under
    `failed to run "/usr/local/go/bin/go build -o ...": exit status 1`.

The course's GoNB patch (.ci/gonb_patch.py) adds a sentence to each: which package could not be
fetched and that the cell setting up the Go module must run first; which name no cell run so far
declares and that the cells from the top must run first. Each test runs in a new kernel started
the way JupyterLab starts it (HTML error reports) and in one started with --raw_error (errors as
text only), and checks that the sentence is in the error (evalue and traceback) and, with HTML, in
the report, within 10 s; then that the advice works: after the setup cell, the same cell runs.
A third case: after %reset (GoNB empties its go.mod; the module cell had turned its automatic
`go get` off with %noautoget) a cell that imports a helper gets a sentence saying to run the module
cell again, and runs once it has.
"""
import contextlib
import json
import pathlib
import re
import time

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from kernelrun import SETUP

ROOT = pathlib.Path(__file__).resolve().parent.parent
LESSON = "00-welcome"
MAX_SECONDS = 10  # from sending the cell to its error

IMPORTS_HELPER = (
    'import "github.com/concurrency-kitchen/course/helpers/course"\n\n'
    f'%%\nfmt.Println(course.Lesson("{LESSON}"))'
)
GO_GET_SENTENCE = (
    "GoNB could not fetch a package this cell imports (github.com/concurrency-kitchen/course/helpers/course): "
    "if the notebook sets up its Go module in an earlier cell (a `!*` line such as `go mod edit -replace`), "
    "run that cell first."
)

USES_LESSON = 'import "fmt"\n\n%%\nfmt.Println(lesson)'
UNDECLARED_SENTENCE = (
    "lesson is declared in no cell run so far in this kernel: if an earlier cell of the notebook declares it, "
    "run the cells from the top first"
)

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def setup_cell():
    """The lesson's setup cell, as its notebook has it."""
    nb = nbformat.read(ROOT / "notebooks" / f"{LESSON}.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code[0].startswith(SETUP + "\n"), f"{LESSON}'s first cell does not start with the module lines: {code[0]!r}"
    assert f'course.Lesson("{LESSON}")' in code[0], f"{LESSON}'s setup cell declares no lesson: {code[0]!r}"
    return code[0]


def start(mode, tmp_path):
    """A new kernel of the installed "gonb" kernelspec, in the notebooks folder; with mode "raw", the
    same kernel with --raw_error (a copy of the spec in tmp_path)."""
    ksm = KernelSpecManager()
    name = "gonb"
    if mode == "raw":
        spec = ksm.get_kernel_spec("gonb").to_dict()
        assert "-raw_error=false" in spec["argv"], spec["argv"]
        spec["argv"] = ["-raw_error=true" if a == "-raw_error=false" else a for a in spec["argv"]]
        name = "gonb-raw-error"
        (tmp_path / name).mkdir()
        (tmp_path / name / "kernel.json").write_text(json.dumps(spec))
        ksm = KernelSpecManager(kernel_dirs=[str(tmp_path)])
    km = KernelManager(kernel_name=name, kernel_spec_manager=ksm)
    km.start_kernel(cwd=str(ROOT / "notebooks"))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
    except Exception:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    return km, kc


def run_cell(kc, code, timeout=120):
    """Runs code; returns what it printed, its error's evalue and traceback (without colours), its
    HTML outputs, and the seconds from sending it to its error (or to its end)."""
    msg_id = kc.execute(code)
    sent = time.monotonic()
    out = {"text": "", "evalue": "", "traceback": "", "html": "", "seconds": None}
    deadline = sent + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(deadline - time.monotonic(), 1))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out["text"] += content["text"]
        elif kind == "display_data":
            out["html"] += content["data"].get("text/html", "")
        elif kind == "error":
            out["evalue"] += content["evalue"]
            out["traceback"] += ANSI.sub("", "\n".join(content["traceback"]))
            out["seconds"] = time.monotonic() - sent
        elif kind == "status" and content["execution_state"] == "idle":
            if out["seconds"] is None:
                out["seconds"] = time.monotonic() - sent
            return out


def check_error(mode, what, out, sentence):
    print(f"[{mode}] {what}: error after {out['seconds']:.2f}s:\n{out['evalue']}")
    assert out["evalue"], f"[{mode}] {what}: no error"
    assert out["seconds"] < MAX_SECONDS, f"[{mode}] {what}: the error took {out['seconds']:.1f}s"
    assert sentence in out["evalue"], f"[{mode}] {what}: the error's evalue lacks the sentence:\n{out['evalue']}"
    assert sentence in out["traceback"], f"[{mode}] {what}: the traceback lacks the sentence:\n{out['traceback']}"
    if mode == "html":
        assert sentence in out["html"], f"[{mode}] {what}: the HTML report lacks the sentence"


def check_runs(mode, what, out):
    assert not out["evalue"], f"[{mode}] {what} failed: {out['evalue']}"


@contextlib.contextmanager
def kernel(mode, tmp_path, what):
    """A new kernel in the given error mode for one case, shut down (killed) after it, with the
    case's time printed."""
    started = time.monotonic()
    km, kc = start(mode, tmp_path)
    try:
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(f"[{mode}] {what}: {time.monotonic() - started:.1f}s with the kernel's start")


@pytest.mark.parametrize("mode", ["html", "raw"])
def test_import_before_the_module_cell(mode, tmp_path):
    with kernel(mode, tmp_path, "import before the module cell") as kc:
        out = run_cell(kc, IMPORTS_HELPER)
        check_error(mode, "a helper imported before the module cell", out, GO_GET_SENTENCE)
        # The advice works: after the module cell, the same cell runs.
        check_runs(mode, "the module cell", run_cell(kc, SETUP))
        out = run_cell(kc, IMPORTS_HELPER)
        check_runs(mode, "the cell, after the module cell", out)
        assert out["text"].strip() == LESSON, out["text"]


@pytest.mark.parametrize("mode", ["html", "raw"])
def test_name_used_before_its_cell(mode, tmp_path):
    with kernel(mode, tmp_path, "lesson used before its cell") as kc:
        out = run_cell(kc, USES_LESSON)
        assert "undefined: lesson" in out["evalue"] + out["html"], out
        check_error(mode, "lesson used before the setup cell", out, UNDECLARED_SENTENCE)
        # The advice works: after the setup cell, the same cell prints the lesson.
        check_runs(mode, "the setup cell", run_cell(kc, setup_cell()))
        out = run_cell(kc, USES_LESSON)
        check_runs(mode, "the cell, after the setup cell", out)
        assert out["text"].strip() == LESSON, out["text"]


NO_MODULE_SENTENCE = (
    "No module in this kernel's go.mod provides github.com/concurrency-kitchen/course/helpers/course: "
    "if the notebook sets up its Go module in an earlier cell (a `!*` line), run that cell first (again after a %reset)"
)


@pytest.mark.parametrize("mode", ["html", "raw"])
def test_helper_after_reset(mode, tmp_path):
    """%reset empties GoNB's go.mod, and the module cell has turned its automatic `go get` off: the
    next cell that imports a helper gets a sentence saying to run the module cell again, and runs
    once it has."""
    with kernel(mode, tmp_path, "a helper after %reset") as kc:
        check_runs(mode, "the module cell", run_cell(kc, SETUP))
        check_runs(mode, "the cell, before %reset", run_cell(kc, IMPORTS_HELPER))
        check_runs(mode, "%reset", run_cell(kc, "%reset"))
        out = run_cell(kc, IMPORTS_HELPER)
        check_error(mode, "a helper imported after %reset", out, NO_MODULE_SENTENCE)
        check_runs(mode, "the module cell, again", run_cell(kc, SETUP))
        out = run_cell(kc, IMPORTS_HELPER)
        check_runs(mode, "the cell, after the module cell again", out)
        assert out["text"].strip() == LESSON, out["text"]
