"""What a twin says of the Python that runs it: every twin puts interpreter(...) in its JSON under
"interpreter", and the lesson's text and checks follow it (package pytwin, type Interpreter).

- version and implementation: platform's;
- gil: whether the global interpreter lock is on now. sys._is_gil_enabled() exists from 3.13;
  before that every CPython has the GIL. A free-threaded build (3.13t, 3.14t: PEP 703, PEP 779)
  runs with it off unless PYTHON_GIL=1 or an extension turns it back on;
- free_threaded: whether the build can run without it (Py_GIL_DISABLED);
- start_method: how the twin's multiprocessing started processes ("fork", "spawn", "forkserver"),
  or None for a twin that starts none; default_start_method: what this Python would use unasked
  (spawn on macOS and Windows, fork on Linux before 3.14, forkserver from 3.14).
"""
import multiprocessing as mp
import platform
import sys
import sysconfig


def interpreter(start_method=None):
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    return {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "gil": bool(is_gil_enabled()) if is_gil_enabled else True,
        "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "start_method": start_method,
        "default_start_method": mp.get_start_method(allow_none=True) or mp.get_context().get_start_method(),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(interpreter()))
