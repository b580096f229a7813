"""An nbconvert preprocessor of the course: a notebook exported to HTML draws its charts offline.

A saved lesson does not carry the chart library: its setup cell's output is a short script that
asks the Jupyter server for the library (helpers/chart, Setup). A page exported to HTML has no
server, so this preprocessor puts the library into the page once, in place of that script, hidden
from RequireJS (which nbconvert's templates load) so that it defines window.echarts; the charts'
own scripts wait for it. Each chart also carries a picture of itself, which shows where scripts do
not run.

The course's set-up copies this module into the virtualenv and names it, with the library's path,
in the nbconvert and Jupyter server configuration (JupyterLab's "Save and Export Notebook As"
exports through the server), so that both `jupyter nbconvert --to html` and the menu use it.
"""
import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Unicode

LOADER_MARK = "ck-echarts-loader"


class InlineECharts(Preprocessor):
    """Replaces the first chart-library loader of a notebook with the library itself."""

    library = Unicode("", help="The path of the ECharts library (echarts.min.js).").tag(config=True)

    def preprocess(self, nb, resources):
        if not self.library:
            return nb, resources
        inlined = False
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                html = data.get("text/html")
                if html is None:
                    continue
                if LOADER_MARK not in ("".join(html) if isinstance(html, list) else html):
                    continue
                data["text/html"] = "" if inlined else self.inline()
                inlined = True
        return nb, resources

    def inline(self):
        with open(self.library, encoding="utf-8") as f:
            lib = re.sub(r"(?i)</(script)", r"<\\/\1", f.read())
        return (f'<div class="{LOADER_MARK}" style="display:none"></div>\n<script>\n'
                "if (!window.echarts) {\n(function (define, exports, module) {\n"
                f"{lib}\n}}).call(window);\n}}\n</script>")
