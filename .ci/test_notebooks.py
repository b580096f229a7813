"""Executes every notebook with the real GoNB kernel, as the tests of the course.

Strict mode (COURSE_STRICT=1) turns a failed self-check into an error output, and a small time
unit (COURSE_TIME_UNIT, course.json's test unit unless set) keeps the run short. A notebook fails on any error
output, on a run record that misses its model, and when it publishes no run record at all.
The executed notebooks are saved in test-output/ (test-output/$COURSE_TEST_RUN/ for the runs at
other units and core counts) for a person to look at.
"""
import json
import os
import pathlib

import nbformat
import pytest

from kernelrun import COURSE, execute_notebook

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
OUT = ROOT / "test-output" / os.environ.get("COURSE_TEST_RUN", "")
RUN_MIME = COURSE["run_mime"]


def execute(path: pathlib.Path) -> nbformat.NotebookNode:
    os.environ["COURSE_STRICT"] = "1"
    os.environ.setdefault("COURSE_TIME_UNIT", COURSE["test_unit"])
    return execute_notebook(path, OUT / path.name, os.environ["COURSE_TIME_UNIT"], timeout=600)


def records(nb):
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if RUN_MIME in data:
                rec = data[RUN_MIME]
                yield json.loads(rec) if isinstance(rec, str) else rec


def cell_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        parts.append(out.get("evalue", ""))
        parts.extend(out.get("traceback", []))
    return "\n".join(parts)


def errors(nb):
    for i, cell in enumerate(nb.cells):
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            # A cell that must fail, such as the race detector's report: it must have an error
            # output, and every text its metadata expects (a string, or a list of them).
            expect = cell.metadata.get("course", {}).get("expect", "")
            expect = [expect] if isinstance(expect, str) else list(expect)
            missing = [e for e in expect if e not in cell_text(cell)]
            if not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                yield f"cell {i}: tagged raises-exception, but it raised nothing"
            elif missing:
                yield f"cell {i}: its output does not say {missing!r}:\n{cell_text(cell)[-2000:]}"
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                yield f"cell {i}: {out.get('ename')}: {out.get('evalue')}\n" + "\n".join(out.get("traceback", []))[-3000:]
            elif out.get("output_type") == "stream" and out.get("name") == "stderr" and COURSE["self_check_failed"] in out.get("text", ""):
                yield f"cell {i}: {out['text']}"


def silent_runs(nb):
    """Cells whose main part (after %%) calls report.Finish but that published no run record:
    a cell that printed an error and returned early, which is no error output."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "%%" not in cell.source:
            continue
        main = cell.source.split("%%", 1)[1]
        if "report.Finish(" not in main:
            continue
        if not any(RUN_MIME in out.get("data", {}) for out in cell.get("outputs", [])):
            yield f"cell {i} calls report.Finish but published no run record; it printed:\n{cell_text(cell)[-2000:]}"


# Lessons (by slug) whose runs the runtime's execution tracer records: each must publish at least
# one record carrying "trace" (COURSE.md's run-record contract).
TRACED = {"welcome", "dinner", "cpu-vs-io", "gomaxprocs", "event-loop"}
TRACE_KEYS = ("gomaxprocs", "goroutines", "threads", "procs_used", "migrations", "preemptions")


def check_trace(r):
    """A traced record's counts are whole numbers that agree with each other."""
    t, what = r["trace"], f"{r['experiment']} / {r['variant']}"
    assert set(t) == set(TRACE_KEYS), f"{what}: trace keys {sorted(t)}, want {sorted(TRACE_KEYS)}"
    assert all(isinstance(t[k], int) and t[k] >= 0 for k in TRACE_KEYS), f"{what}: trace {t}"
    assert t["gomaxprocs"] >= 1 and t["goroutines"] >= 1, f"{what}: trace {t}"
    assert 1 <= t["procs_used"] <= t["gomaxprocs"], f"{what}: {t['procs_used']} Ps used of {t['gomaxprocs']}"
    assert t["threads"] >= 1, f"{what}: trace {t}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_clean(path):
    nb = execute(path)
    errs = list(errors(nb)) + list(silent_runs(nb))
    assert not errs, "\n\n".join(errs)
    recs = list(records(nb))
    assert recs, "the notebook published no run record"
    for r in recs:
        for key in ("lesson", "experiment", "variant", "seconds", "units", "ok", "timeline"):
            assert key in r, f"run record without {key}: {r}"
        if r.get("expected_units") is not None:
            lo, hi = r["expected_min"], r["expected_max"]
            # units carry 3 decimals and the band 4: allow the rounding, no more.
            assert r["ok"] and lo - 6e-4 <= r["units"] <= hi + 6e-4, \
                f"{r['experiment']} / {r['variant']}: {r['units']} units, model {r['expected_units']} ({lo}..{hi})"
        if "trace" in r:
            check_trace(r)
        print(f"{r['lesson']} | {r['experiment']} | {r['variant']}: {r['units']} units (model {r.get('expected_units')})")
    if path.stem.split("-", 1)[1] in TRACED:
        assert any("trace" in r for r in recs), f"{path.stem} published no traced run record"
