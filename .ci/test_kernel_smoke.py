"""Smoke test of the installed "Go (gonb)" kernel with jupyter_kernel_test.

Kernel info, hello world on stdout, a text/html display through gonbui, and completion through
gopls, against the kernel that the set-up installs into .venv.
"""
import unittest

import jupyter_kernel_test as jkt

from kernelrun import SETUP

class GoNBKernelTests(jkt.KernelTests):
    kernel_name = "gonb"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'import "fmt"\n\n%%\nfmt.Println("hello, world")'

    code_display_data = [
        {
            # Sync: GoNB v0.11.5 may drop a display sent just before the program ends (helpers/display)
            "code": SETUP + "\n" + 'import "github.com/janpfeifer/gonb/gonbui"\n\n%%\ngonbui.DisplayHTML("<b>kitchen</b>")\ngonbui.Sync()',
            "mime": "text/html",
        },
    ]

    completion_samples = [
        {"text": 'import "strings"\n\n%%\nstrings.ToUp', "matches": {"ToUpper", "ToUpperSpecial"}},
    ]


if __name__ == "__main__":
    unittest.main()
