"""What the kernel tests share: the harness's facts (course.json), the notebooks' setup line, and
running one cell through a client."""
import json
import pathlib

# The facts the Makefile, these tests, the browser test and a Go test share (.ci/course.json).
COURSE = json.loads((pathlib.Path(__file__).resolve().parent / "course.json").read_text())

# The lessons' first cell: it makes the repository's module (and through it gonbui and the helpers,
# at the versions go.mod pins, with the course's go.sum) available to the cells, with no network
# (bin/course-module). Without it GoNB would `go get` gonbui's latest version, which needs the network.
SETUP = '!*sh "${COURSE_ROOT:-$GONB_DIR/..}/bin/course-module"'


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
