"""Builds a static site of the executed course (make site): an index page with the course map and
one page per lesson, each with its notebook's outputs and charts, readable from file:// or any static
host with no network.

    python .ci/build_site.py [--from DIR] [--out DIR]

With --from DIR (make site SITE_FROM=DIR) it takes the executed notebooks DIR/NN-slug.ipynb, such as
those the notebook test saves in test-output/; every lesson's must be there, executed, and made from
the same cells as notebooks/NN-slug.ipynb. Without it, it executes every notebook with the real GoNB
kernel, not strict, at COURSE_TIME_UNIT (the course's default, 1s, when unset), saving each into
OUT/notebooks/ as soon as it is done; `--from OUT/notebooks` later rebuilds the pages from those.

The lessons and their order, titles, what each measures and its time come from one place, the
course map in README.md (its rows `| [NN · Title](lessons/NN-slug.md) | from | measure | time |`);
the Binder link is the README's badge URL with `?labpath=notebooks/NN-slug.ipynb`.

Generator: nbconvert's HTMLExporter with the course's template (.ci/site-template/, extending
nbconvert's "lab" template). nbconvert is already pinned (requirements-jupyter.txt) and is what
JupyterLab's own HTML export uses; it writes GoNB's text/html outputs as they are, <script>s included,
which is how the charts draw. Jupyter Book and mystmd are neither installed nor pinned here. The
template replaces the lab template's <head>, which loads RequireJS, MathJax and Mermaid from CDNs
(RequireJS would also make ECharts' UMD bundle register as an AMD module instead of window.echarts):
a page loads only files of the site, the ECharts library once from assets/echarts.min.js.

On the pages, the setup cell's output that loads ECharts into a notebook (`ck-echarts-loader`) and
the run records (application/vnd.concurrency-kitchen.run+json, for the tests) are left out; every
other output stays, charts (with any fallback image) included.
"""
import argparse
import copy
import datetime
import json
import os
import pathlib
import re
import shutil
import sys
import time

import jinja2
import mistune
import nbconvert
import nbformat
from jupyter_core.paths import jupyter_path
from nbconvert import HTMLExporter

from kernelrun import COURSE, execute_notebook

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TEMPLATE = ROOT / ".ci" / "site-template"
ECHARTS = ROOT / "node_modules" / "echarts"
RUN_MIME = COURSE["run_mime"]
LOADER = "ck-echarts-loader"
# The course's default time unit (helpers/timing.DefaultUnit) and the tests' (course.json).
DEFAULT_UNIT = "1s"
TEST_UNIT = COURSE["test_unit"]
# A course-map row of README.md: | [NN · Title](lessons/NN-slug.md) | from | measure | time |
ROW = re.compile(r"^\| \[(\d\d) · ([^\]]+)\]\(lessons/(\d\d-[a-z0-9-]+)\.md\) \|")
BINDER = re.compile(r"https://mybinder\.org/v2/gh/[^?)\s]+")


class SiteError(Exception):
    pass


def rel(p):
    """p relative to the checkout when it is inside it, for messages."""
    p = pathlib.Path(p)
    return p.relative_to(ROOT) if p.is_relative_to(ROOT) else p


def course_map():
    """The lessons, in order, from README.md's course map, checked against notebooks/."""
    readme = (ROOT / "README.md").read_text()
    lessons = []
    for line in readme.splitlines():
        m = ROW.match(line)
        if not m:
            continue
        cols = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cols) != 4:
            raise SiteError(f"README.md: a course-map row with {len(cols)} columns, want 4 "
                            f"(lesson | from | what you measure | time): {line[:120]}")
        num, title, slug = m.groups()
        if not slug.startswith(num):
            raise SiteError(f"README.md: the row of lesson {num} links to lessons/{slug}.md")
        lessons.append({"num": num, "title": title, "slug": slug, "from": cols[1],
                        "measure": cols[2], "time": cols[3]})
    if not lessons:
        raise SiteError("README.md has no course-map rows like `| [NN · Title](lessons/NN-slug.md) | ... |`")
    have = {p.stem for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")}
    listed = [l["slug"] for l in lessons]
    if sorted(listed) != sorted(have) or len(set(listed)) != len(listed):
        raise SiteError(f"README.md's course map lists {listed}, notebooks/ has {sorted(have)}: "
                        "make them agree (a row per lesson)")
    for l in lessons:  # the map's title is the notebook's heading, or its start ("Waiting forever")
        first = nbformat.read(NOTEBOOKS / f"{l['slug']}.ipynb", as_version=4).cells[0].source.split("\n", 1)[0]
        if not first.strip().startswith(f"# {l['num']} · {l['title']}"):
            raise SiteError(f"README.md's course map calls lesson {l['num']} \"{l['title']}\", "
                            f"notebooks/{l['slug']}.ipynb's heading is \"{first}\"")
    m = BINDER.search(readme)
    if not m:
        raise SiteError("README.md has no Binder badge URL (https://mybinder.org/v2/gh/...)")
    for i, l in enumerate(lessons):
        l["page"] = f"{l['slug']}.html"
        l["binder"] = f"{m.group(0)}?labpath=notebooks/{l['slug']}.ipynb"
        l["prev"] = lessons[i - 1] if i > 0 else None
        l["next"] = lessons[i + 1] if i + 1 < len(lessons) else None
    return lessons, readme


def sources(nb):
    return [(c.cell_type, c.source) for c in nb.cells]


def check_executed(nb, path, lesson):
    """Fails unless nb is the lesson's notebook (same cells as notebooks/), executed."""
    fresh = nbformat.read(NOTEBOOKS / f"{lesson['slug']}.ipynb", as_version=4)
    if sources(nb) != sources(fresh):
        diff = next((i for i, (a, b) in enumerate(zip(sources(nb), sources(fresh))) if a != b),
                    min(len(nb.cells), len(fresh.cells)))
        raise SiteError(f"{rel(path)} was executed from other cells than notebooks/{lesson['slug']}.ipynb "
                        f"(they differ from cell {diff}): execute it again (make test-notebooks, or "
                        "make site without SITE_FROM)")
    unrun = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count") is None]
    if unrun:
        raise SiteError(f"{rel(path)} is not executed: code cell(s) {unrun[:5]} have no execution count")


def load_executed(src_dir, lessons):
    """The executed notebooks of src_dir, one per lesson, all checked before anything is written."""
    missing = [l["slug"] for l in lessons if not (src_dir / f"{l['slug']}.ipynb").is_file()]
    if missing:
        raise SiteError(f"no executed notebook for {', '.join(missing)} in {rel(src_dir)}/ "
                        f"({len(missing)} of {len(lessons)} missing): make test-notebooks saves them in "
                        "test-output/; make site without SITE_FROM executes them itself")
    out = {}
    for l in lessons:
        path = src_dir / f"{l['slug']}.ipynb"
        nb = nbformat.read(path, as_version=4)
        check_executed(nb, path, l)
        out[l["slug"]] = nb
    return out


def execute(lesson, dest):
    """Executes notebooks/<slug>.ipynb with the real kernel, not strict, at COURSE_TIME_UNIT (as a
    learner runs it), records the unit and the time as the notebook test does, and saves it at dest."""
    src = NOTEBOOKS / f"{lesson['slug']}.ipynb"
    os.environ.pop("COURSE_STRICT", None)
    unit = os.environ.get("COURSE_TIME_UNIT", "").strip() or DEFAULT_UNIT
    print(f"site: executing {rel(src)} at a time unit of {unit} ...", flush=True)
    try:
        nb = execute_notebook(src, dest, unit, timeout=1800)
    except Exception as e:  # a dead kernel or a cell past the timeout; errors in cells are outputs
        raise SiteError(f"executing {rel(src)} failed: {type(e).__name__}: {e}; the notebooks executed "
                        f"before it are in {rel(dest.parent)}/") from e
    print(f"site: {rel(dest)} executed in {nb.metadata.course_test['seconds']} s", flush=True)
    for i, c in enumerate(nb.cells):
        tags = c.get("metadata", {}).get("tags", [])
        for o in c.get("outputs", []):
            if o.get("output_type") == "error" and "raises-exception" not in tags:
                print(f"site: warning: {lesson['slug']} cell {i}: {o.get('ename')}: {o.get('evalue')}", flush=True)
    return nb


def executed_sentence(nb):
    """Says at which time unit, when and in how long the notebook was executed."""
    meta = nb.metadata.get("course_test", {})
    unit, secs = meta.get("time_unit"), meta.get("seconds")
    if not unit:  # executed elsewhere: the setup cell's stamp says the unit
        for c in nb.cells:
            for o in c.get("outputs", []):
                m = re.search(r"time unit: (\S+)", o.get("text", ""))
                if m:
                    unit = m.group(1)
                    break
            if unit:
                break
    if not unit:
        s = "Executed at a time unit it did not record"
    elif unit == DEFAULT_UNIT:
        s = f"Executed at the course's default time unit of {unit}"
    elif unit == TEST_UNIT:
        s = f"Executed at a time unit of {unit} (the tests' unit; the course's default is {DEFAULT_UNIT})"
    else:
        s = f"Executed at a time unit of {unit} (the course's default is {DEFAULT_UNIT})"
    if secs is not None:
        s += f" in {secs:.0f} s"
    day = next((c.metadata["execution"]["iopub.execute_input"][:10] for c in nb.cells
                if c.cell_type == "code" and "iopub.execute_input" in c.get("metadata", {}).get("execution", {})), "")
    if day:
        s += f", on {day}"
    return s + "."


def for_page(nb):
    """A copy of nb with the outputs a web page does without: the ECharts loader (the page loads the
    library itself), the run records, and empty HTML outputs. Returns it and what was dropped."""
    nb = copy.deepcopy(nb)
    dropped = {"loader": 0, "run record": 0, "empty": 0}
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        keep = []
        for o in c.get("outputs", []):
            data = o.get("data", {})
            htm = data.get("text/html", "")
            htm = "".join(htm) if isinstance(htm, list) else htm
            if LOADER in htm:
                dropped["loader"] += 1
            elif RUN_MIME in data:
                dropped["run record"] += 1
            elif o.get("output_type") == "display_data" and set(data) == {"text/html"} and not htm.strip():
                dropped["empty"] += 1
            else:
                keep.append(o)
        c.outputs = keep
    return nb, dropped


def inline_md(text):
    """One line of Markdown (a course-map cell) as HTML, without the paragraph around it."""
    out = mistune.html(text).strip()
    return out[3:-4] if out.startswith("<p>") and out.endswith("</p>") else out


def intro(readme):
    """README.md's first paragraph after its title: what the course is."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", readme)]
    start = next((i for i, p in enumerate(paras) if p.startswith("# ")), 0)
    text = next((p for p in paras[start + 1:] if p and not p.startswith(("!", "#", "|", "["))), "")
    return mistune.html(text)


def lab_css(exporter_resources):
    """JupyterLab's look for the pages, as one file: nbconvert's lab CSS, its light theme and the
    code highlighting (the lab template inlines these in every page; the site loads them once)."""
    static = next((pathlib.Path(p) / "lab" / "static" for p in jupyter_path("nbconvert", "templates")
                   if (pathlib.Path(p) / "lab" / "static" / "index.css").is_file()), None)
    if static is None:
        raise SiteError("nbconvert's lab template (lab/static/index.css) was not found")
    parts = [f"/* JupyterLab's look as nbconvert {nbconvert.__version__} ships it for its lab template "
             "(lab/static: index.css, theme-light.css) and the code highlighting: BSD-3-Clause, "
             "Project Jupyter Contributors. */",
             (static / "index.css").read_text(), (static / "theme-light.css").read_text()]
    parts += list(exporter_resources.get("inlining", {}).get("css", []))
    return "\n".join(parts)


def build(out, src_dir=None):
    started = time.monotonic()
    lessons, readme = course_map()
    if not (ECHARTS / "dist" / "echarts.min.js").is_file():
        raise SiteError(f"{ECHARTS}/dist/echarts.min.js is missing: run make setup (or bash .ci/setup)")
    nbdir = out / "notebooks"
    if src_dir is not None:
        executed = load_executed(src_dir, lessons)  # all checked before anything is written
        nbdir.mkdir(parents=True, exist_ok=True)
        for l in lessons:
            src, dest = src_dir / f"{l['slug']}.ipynb", nbdir / f"{l['slug']}.ipynb"
            if not dest.exists() or not os.path.samefile(src, dest):
                shutil.copyfile(src, dest)
    else:
        executed = {l["slug"]: execute(l, nbdir / f"{l['slug']}.ipynb") for l in lessons}

    version = json.loads((ECHARTS / "package.json").read_text())["version"]
    exporter = HTMLExporter(template_name="site-template", extra_template_basedirs=[str(TEMPLATE.parent)])
    last = {}
    for l in lessons:
        nb, dropped = for_page(executed[l["slug"]])
        l["executed"] = executed_sentence(executed[l["slug"]])
        l["unit"] = executed[l["slug"]].metadata.get("course_test", {}).get("time_unit", "")
        l["charts"] = sum(1 for c in nb.cells for o in c.get("outputs", [])
                          if 'class="ck-chart"' in str(o.get("data", {}).get("text/html", "")))
        page, last = exporter.from_notebook_node(nb, resources={"site": {"lesson": l, "echarts": version}})
        (out / l["page"]).write_text(page)
        size = (out / l["page"]).stat().st_size
        print(f"site: {l['page']:28s} {size / 1e3:7.0f} kB, {l['charts']:2d} charts "
              f"(left out: {dropped['loader']} loader, {dropped['run record']} run records); {l['executed']}")

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE), autoescape=False)
    for l in lessons:
        l["measure_html"] = inline_md(l["measure"])
    units = sorted({l["unit"] for l in lessons if l["unit"]})
    (out / "index.html").write_text(env.get_template("course-map.html.j2").render(
        lessons=lessons, intro=intro(readme), units=units, default_unit=DEFAULT_UNIT,
        test_unit=TEST_UNIT, echarts=version, built=datetime.date.today().isoformat()))

    assets = out / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ECHARTS / "dist" / "echarts.min.js", assets / "echarts.min.js")
    shutil.copyfile(ECHARTS / "LICENSE", assets / "echarts.LICENSE.txt")
    if (ECHARTS / "NOTICE").is_file():
        shutil.copyfile(ECHARTS / "NOTICE", assets / "echarts.NOTICE.txt")
    (assets / "jupyterlab.css").write_text(lab_css(last))
    shutil.copyfile(TEMPLATE / "site.css", assets / "site.css")

    # Pages and notebooks of lessons no longer in the course map go.
    wanted = {l["page"] for l in lessons}
    for p in out.glob("[0-9][0-9]-*.html"):
        if p.name not in wanted:
            p.unlink()
    for p in nbdir.glob("[0-9][0-9]-*.ipynb"):
        if p.stem not in {l["slug"] for l in lessons}:
            p.unlink()
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"site: {rel(out)}/index.html and {len(lessons)} lesson pages ({total / 1e6:.1f} MB with the "
          f"notebooks and assets) built in {time.monotonic() - started:.1f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--from", dest="src", help="a directory of executed notebooks (e.g. test-output)")
    ap.add_argument("--out", default="site", help="where the site goes (default: site)")
    a = ap.parse_args()
    out = pathlib.Path(a.out).resolve()
    src = pathlib.Path(a.src).resolve() if a.src else None
    if out == ROOT or out == NOTEBOOKS or NOTEBOOKS.is_relative_to(out) or out == ROOT / "lessons":
        sys.exit(f"site: --out {a.out} would write over the course itself: give the site its own directory")
    if src is not None and not src.is_dir():
        sys.exit(f"site: SITE_FROM={a.src} is not a directory of executed notebooks")
    try:
        build(out, src)
    except SiteError as e:
        sys.exit(f"site: {e}")


if __name__ == "__main__":
    main()
