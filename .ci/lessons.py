"""Builds notebooks/ from lessons/ with jupytext, or checks that they agree.

    python .ci/lessons.py build   # write notebooks/NN-slug.ipynb for every lessons/NN-slug.md
    python .ci/lessons.py check   # exit 1, naming the files, when a committed notebook differs

A notebook is the lesson's cells, with no outputs, the kernelspec gonb, and nothing that changes
from one build to the next, so that a diff of notebooks/ is a diff of lessons/.
"""
import pathlib
import re
import sys

import jupytext
import nbformat

from kernelrun import SETUP

ROOT = pathlib.Path(__file__).resolve().parent.parent
LESSONS, NOTEBOOKS = ROOT / "lessons", ROOT / "notebooks"
NAME = re.compile(r"^\d\d-[a-z0-9-]+\.md$")


def lessons():
    files = sorted(p for p in LESSONS.glob("*.md") if NAME.match(p.name))
    if not files:
        sys.exit(f"no lessons named NN-slug.md in {LESSONS}")
    return files


# A lesson is one sitting: about 200 words a minute, plus its cells' run time (README's course map).
MAX_WORDS = 3500


def render(md: pathlib.Path) -> str:
    words = len(md.read_text().split())
    if words > MAX_WORDS:
        raise SystemExit(f"{md.name}: {words} words, over {MAX_WORDS}: cut it, or split it (its first part keeps the slug)")
    nb = jupytext.read(md, fmt="md:myst")
    if nb.metadata.get("kernelspec", {}).get("name") != "gonb":
        raise SystemExit(f"{md.name}: its kernelspec must be gonb")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    if not code or not code[0].startswith(SETUP + "\n") or f'course.Lesson("{md.stem}")' not in code[0] \
            or "lesson.Setup()" not in code[0]:
        raise SystemExit(f"{md.name}: its first code cell must be the setup cell: the lines {SETUP!r}, then "
                         f"the imports, `var lesson = course.Lesson(\"{md.stem}\")` and `lesson.Setup()`")
    named = sum(src.count(f'"{md.stem}"') for src in code)
    if named > 1:
        raise SystemExit(f"{md.name}: its code names the lesson {named} times; name it once, in "
                         f"`var lesson = course.Lesson(\"{md.stem}\")`, and use lesson after that")
    nb.metadata.pop("jupytext", None)
    nb.metadata["language_info"] = {"name": "go"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{md.stem[:2]}-{i:03d}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(nb)
    return nbformat.writes(nb, version=4) + "\n"


def main(cmd: str) -> int:
    stale = []
    expected = set()
    for md in lessons():
        out = NOTEBOOKS / (md.stem + ".ipynb")
        expected.add(out.name)
        text = render(md)
        if cmd == "build":
            NOTEBOOKS.mkdir(exist_ok=True)
            if not out.exists() or out.read_text() != text:
                out.write_text(text)
                print(f"wrote {out.relative_to(ROOT)}")
        elif not out.exists() or out.read_text() != text:
            stale.append(out.name)
    orphans = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb") if p.name not in expected)
    if cmd == "check" and (stale or orphans):
        for name in stale:
            print(f"notebooks/{name} differs from its lesson: run make notebooks", file=sys.stderr)
        for name in orphans:
            print(f"notebooks/{name} has no lesson in lessons/", file=sys.stderr)
        return 1
    if cmd == "check":
        print(f"notebooks/ matches lessons/ ({len(expected)} lessons)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("build", "check"):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
