"""Test twin: prints its arguments, the Python version and whether stdin is empty, as JSON.
With "fail" as first argument it exits 3 after a message on stderr; with "garbage" it prints no JSON;
with "sleep" it sleeps a minute (to be cancelled)."""
import json
import sys
import time

from interp import interpreter

if sys.argv[1:2] == ["fail"]:
    print("this twin was asked to fail", file=sys.stderr)
    sys.exit(3)
if sys.argv[1:2] == ["sleep"]:
    time.sleep(60)
if sys.argv[1:2] == ["garbage"]:
    print("not json")
    sys.exit(0)
print(json.dumps({"args": sys.argv[1:], "python": sys.version.split()[0], "stdin": sys.stdin.read(),
                  "interpreter": interpreter()}))
