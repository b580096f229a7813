"""What the kernel tests share: the harness's facts (course.json), the notebooks' setup line,
running one cell through a client, and executing a whole notebook."""
import json
import pathlib
import time

# The facts the Makefile, these tests, the browser test and a Go test share (.ci/course.json).
COURSE = json.loads((pathlib.Path(__file__).resolve().parent / "course.json").read_text())

# The first lines of the lessons' first cell (the setup cell; its Go code, which GoNB builds after
# running these lines, imports the helpers and names the lesson): they make the repository's module (and through it gonbui and the helpers,
# at the versions go.mod pins, with the course's go.sum) available to the cells, with no network
# (bin/course-module). Without it GoNB would `go get` gonbui's latest version, which needs the network.
# Its second line turns GoNB's automatic `go get` off: course-module has put every module the helpers
# need into GoNB's go.mod, and a `go get` before each build took 0.5 s of every cell that imports them.
SETUP = '!*sh "${COURSE_ROOT:-$GONB_DIR/..}/bin/course-module"\n%noautoget'


def run(kc, code, timeout=300):
    """Executes code through the kernel client kc and returns what it printed; an error output raises."""
    msg_id = kc.execute(code)
    text = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            text.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise RuntimeError(f"cell failed: {msg['content']['evalue']}")
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(text)


def execute_notebook(src, dest, unit, timeout):
    """Executes the notebook at src with the real GoNB kernel in its own folder, at the time unit
    the caller has set in COURSE_TIME_UNIT (unit is how to record it), records that unit and how
    long it took in metadata.course_test (the notebook test and the site read it), saves the
    executed notebook at dest and returns it. Errors in cells are outputs, not exceptions."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(nb, kernel_name="gonb", timeout=timeout, allow_errors=True,
                            resources={"metadata": {"path": str(pathlib.Path(src).parent)}})
    started = time.monotonic()
    client.execute()
    nb.metadata["course_test"] = {"seconds": round(time.monotonic() - started, 1), "time_unit": unit}
    pathlib.Path(dest).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return nb
