"""The course's patch to the pinned GoNB: an interrupt that arrives before a cell's program starts,
what killed kernels leave behind, and a sentence for a cell run before the cells it needs.

GoNB v0.11.5 passes an interrupt (Jupyter's Stop button: SIGINT to the kernel) only to a cell
program that is already running. An interrupt that arrives while the cell is still being
compiled (goimports, `go build`) marks the kernel interrupted and reaches no one: the build goes
on, the program then starts, and the cell runs to its end (measured: an 8 s sleep interrupted
0.05 s and 0.2 s after it was sent ran all 8 s). Upstream, the places are
internal/goexec/execcode.go (State.Compile runs `go build` with no interrupt subscription, and
executeCellImpl goes on to Execute without looking at Kernel.Interrupted) and
internal/jpyexec/jpyexec.go (the program's interrupt subscription is made after cmd.Start, and an
interrupt already recorded is not acted on).

Jupyter asks GoNB to interrupt with an `interrupt_request` message (GoNB installs its kernel with
"interrupt_mode": "message"), and the dispatcher's handler of that message, unlike the SIGINT
handler, does not set Kernel.Interrupted: so nothing after the build can tell that it was
interrupted.

A learner who runs a lesson's cell before its set-up cells (opening a notebook in the middle, or
after a kernel restart) got, measured with plain v0.11.5, only the failing command: a cell that
imports a package the set-up cell makes available (`!*` lines that edit GoNB's go.mod) ended after
0.26 s with `failed to run "/usr/local/go/bin/go get": exit status 1` (the HTML report adds go get's
own line, here a proxy's 403 for the package path), and a cell that uses a name an earlier cell
declares ended after 0.07 s with `failed to run "/usr/local/go/bin/go build -o ...": exit status 1`
(the report: `undefined: lesson`). Neither says what to do.

The patch, twelve small edits and four new files:
  - dispatcher: an interrupt_request marks the kernel interrupted, as SIGINT does;
  - State.Compile: no build once the kernel is interrupted; an interrupt during the build kills
    it (exec.CommandContext, cancelled by an interrupt subscription); after the build, an
    interrupted cell ends with an error instead of starting its program;
  - jpyexec: right after subscribing, an interrupt that is already recorded is sent on to the
    program at once;
  - goplsclient, on Linux: gopls dies with GoNB (PR_SET_PDEATHSIG), instead of running on, orphaned,
    after a kernel is killed (exec_linux.go, new; exec_unix.go now builds elsewhere only);
  - goexec: GoNB writes its PID into its /tmp/gonb_* folder, and at start removes the folders of
    GoNBs that are no longer running (stale.go and stale_other.go, new), which a killed kernel leaves behind;
  - jpyexec and State.Execute: the named pipes of a cell's program are made in that folder
    (Executor.PipesIn, new), not in /tmp, where a kernel killed while a cell ran left them (eight
    empty /tmp/gonb_pipe_* FIFOs after a day of tests here);
  - State.Compile: when the compiler reports `undefined: NAME` (an unqualified name), the error
    gets one more line: NAME is declared in no cell run so far in this kernel, so if an earlier
    cell declares it, run the cells from the top first; when the go command reports that no
    required module provides an imported package (the course's set-up cell turns GoNB's automatic
    `go get` off, and %reset empties go.mod), the error says to run the set-up cell again first,
    or %autoget for a module of one's own;
  - State.GoImports: when `go get` fails and its output names a package the cells import (outside
    the standard library), the error gets one more line: GoNB could not fetch it, so if an earlier
    cell sets up the Go module (a `!*` line), run that cell first. Both lines go into the HTML
    report and into the error itself (evalue and traceback, with or without --raw_error); the
    sentences are made in hints.go (new).

This script copies GoNB's module from the module cache to OUT_DIR/gonb, patches the copy, writes
OUT_DIR/go.work (the course's module, with GoNB replaced by the patched copy), and prints that
file's path: `GOWORK=<it> go build github.com/janpfeifer/gonb` builds the patched GoNB with every
other module at the versions the course's go.mod pins. (`go build -overlay` cannot do it: Go
refuses overlays of files in the module cache.) The module cache is not touched. It refuses, with a
message saying what to do, a GoNB other than the version it was written for, or a file whose text
it does not find.

Usage: gonb_patch.py OUT_DIR  (run in the course's checkout: `go list` finds GoNB's module there)
"""
import pathlib
import shutil
import stat
import subprocess
import sys

VERSION = "v0.11.5"
ERR = "interrupted before the cell's program started"

EDITS = {
    "internal/goexec/execcode.go": [
        ('\t"fmt"\n\t. "github.com/janpfeifer/gonb/common"\n',
         '\t"context"\n\t"fmt"\n\t. "github.com/janpfeifer/gonb/common"\n'),
        ('\targs = append(args, s.GoBuildFlags...)\n\tcmd := exec.Command("go", args...)\n',
         '\targs = append(args, s.GoBuildFlags...)\n'
         '\t// Concurrency Kitchen patch: an interrupt before or during the build ends the build,\n'
         '\t// and the cell\'s program does not start.\n'
         '\tif msg.Kernel().Interrupted.Load() {\n'
         f'\t\treturn errors.New("{ERR}")\n'
         '\t}\n'
         '\tbuildCtx, cancelBuild := context.WithCancel(context.Background())\n'
         '\tdefer cancelBuild()\n'
         '\tbuildInterrupt := msg.Kernel().SubscribeInterrupt(func(kernel.SubscriptionId) { cancelBuild() })\n'
         '\tdefer msg.Kernel().UnsubscribeInterrupt(buildInterrupt)\n'
         '\tif msg.Kernel().Interrupted.Load() {\n'
         '\t\tcancelBuild()\n'
         '\t}\n'
         '\tcmd := exec.CommandContext(buildCtx, "go", args...)\n'),
        ('\toutput, err := cmd.CombinedOutput()\n\tif err != nil {\n\t\tklog.Errorf("Failed %q:\\n%s\\n", cmd, output)\n',
         '\toutput, err := cmd.CombinedOutput()\n'
         '\tif msg.Kernel().Interrupted.Load() {\n'
         f'\t\treturn errors.New("{ERR}")\n'
         '\t}\n'
         '\tif err != nil {\n\t\tklog.Errorf("Failed %q:\\n%s\\n", cmd, output)\n'),
        ('\t\terr := s.DisplayErrorWithContext(msg, fileToCellIdAndLines, string(output), err)\n'
         '\t\treturn errors.Wrapf(err, "failed to run %q", cmd)\n',
         '\t\t// Concurrency Kitchen patch: a sentence on names that no cell run so far declares.\n'
         '\t\thint := undeclaredHint(string(output))\n'
         '\t\tif hint == "" {\n\t\t\thint = missingModuleHint(string(output))\n\t\t}\n'
         '\t\terr := s.DisplayErrorWithContext(msg, fileToCellIdAndLines, withHintLine(string(output), hint), err)\n'
         '\t\treturn withHint(errors.Wrapf(err, "failed to run %q", cmd), hint)\n'),
        ('\t\tstrOutput = s.filterGoGetError(strOutput)\n'
         '\t\terr = s.DisplayErrorWithContext(msg, fileToCellIdAndLine, strOutput, err)\n',
         '\t\tstrOutput = s.filterGoGetError(strOutput)\n'
         '\t\t// Concurrency Kitchen patch: a sentence on packages the cells import that go get could not fetch.\n'
         '\t\thint := goGetHint(string(output), newDecls.Imports)\n'
         '\t\terr = s.DisplayErrorWithContext(msg, fileToCellIdAndLine, withHintLine(strOutput, hint), err)\n'
         '\t\terr = withHint(err, hint)\n'),
        ('\t\tUseNamedPipes(s.Comms).\n',
         '\t\tUseNamedPipes(s.Comms).\n\t\tPipesIn(s.TempDir). // Concurrency Kitchen patch: not in /tmp, where a killed kernel left them\n'),
    ],
    "internal/dispatcher/dispatcher.go": [
        ('\t\t\tklog.V(2).Infof("Received interrupt_request.")\n\t\t\tmsg.Kernel().CallInterruptSubscribers()\n',
         '\t\t\tklog.V(2).Infof("Received interrupt_request.")\n'
         '\t\t\t// Concurrency Kitchen patch: mark the kernel interrupted, as a SIGINT does.\n'
         '\t\t\tmsg.Kernel().Interrupted.Store(true)\n'
         '\t\t\tmsg.Kernel().CallInterruptSubscribers()\n'),
    ],
    "internal/goexec/goexec.go": [
        ('\t// Create directory.\n\ts.TempDir = path.Join(os.TempDir(), s.Package)\n\terr := os.Mkdir(s.TempDir, 0700)\n'
         '\tif err != nil {\n',
         '\t// Create directory.\n'
         '\tremoveStaleTempDirs() // Concurrency Kitchen patch: the folders of kernels that were killed\n'
         '\ts.TempDir = path.Join(os.TempDir(), s.Package)\n\terr := os.Mkdir(s.TempDir, 0700)\n'
         '\tif err == nil {\n\t\terr = writePIDFile(s.TempDir)\n\t}\n'
         '\tif err != nil {\n'),
    ],
    "internal/jpyexec/namedpipes.go": [
        ('\tf, err := os.CreateTemp(exec.dir, "gonb_pipe_")\n',
         '\tdir := exec.dir\n'
         '\tif exec.pipesDir != "" {\n\t\tdir = exec.pipesDir // Concurrency Kitchen patch (see PipesIn)\n\t}\n'
         '\tf, err := os.CreateTemp(dir, "gonb_pipe_")\n'),
    ],
    "internal/goexec/goplsclient/exec_unix.go": [
        ("//go:build !windows\n", "//go:build !windows && !linux\n"),
    ],
    "internal/jpyexec/jpyexec.go": [
        ('\tdir                        string\n',
         '\tdir                        string\n'
         '\tpipesDir                   string // Concurrency Kitchen patch: where the named pipes go ("" = dir)\n'),
        ('// InDir configures the Executor to execute within the given directory. Returns\n',
         '// PipesIn makes the named pipes in dir instead of the directory of InDir (Concurrency\n'
         '// Kitchen patch: in the kernel\'s own temporary folder, which a new kernel removes when the\n'
         '// one that made it was killed, with the pipes it had open). Returns the modified builder.\n'
         'func (exec *Executor) PipesIn(dir string) *Executor {\n'
         '\texec.pipesDir = dir\n'
         '\treturn exec\n'
         '}\n\n'
         '// InDir configures the Executor to execute within the given directory. Returns\n'),
        ('\t\tcase <-time.After(WaitToKill):\n\t\t\terr = cmd.Process.Kill()\n'
         '\t\t\tif err != nil {\n\t\t\t\tklog.Errorf("failed to kill process %s (%v): %+v", cmd, cmd.Process, err)\n'
         '\t\t\t}\n\t\t}\n\t})\n',
         '\t\tcase <-time.After(WaitToKill):\n\t\t\terr = cmd.Process.Kill()\n'
         '\t\t\tif err != nil {\n\t\t\t\tklog.Errorf("failed to kill process %s (%v): %+v", cmd, cmd.Process, err)\n'
         '\t\t\t}\n\t\t}\n\t})\n'
         '\t// Concurrency Kitchen patch: an interrupt that came before the subscription is sent on now.\n'
         '\tif exec.Msg.Kernel().Interrupted.Load() {\n'
         '\t\texec.Msg.Kernel().CallInterruptSubscribers()\n'
         '\t}\n'),
    ],
}


# New files of the patched copy.
NEW_FILES = {
    # The sentences State.Compile and State.GoImports add to the errors of a cell run before the
    # cells it needs (see the docstring).
    "internal/goexec/hints.go": r"""package goexec

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Hints that say what to do about the two errors a notebook run out of order gives (Concurrency
// Kitchen patch): the compiler's "undefined: NAME" for a name an earlier cell declares, and
// `go get` failing for a package that an earlier cell (setting up the module) makes available.

// firstGroups returns the first group of every match of re in s, each once, in the order found.
func firstGroups(re *regexp.Regexp, s string) []string {
	var groups []string
	seen := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			groups = append(groups, m[1])
		}
	}
	return groups
}

// reUndefinedName matches the compiler's report of an undefined unqualified name.
var reUndefinedName = regexp.MustCompile(`(?m): undefined: ([\p{L}_][\p{L}\p{Nd}_]*)\s*$`)

// undeclaredHint is a sentence about the names the compiler output reports undefined (not the
// qualified ones, pkg.Name), or "" if there are none.
func undeclaredHint(output string) string {
	names := firstGroups(reUndefinedName, output)
	if len(names) == 0 {
		return ""
	}
	verb, cells, declare, pronoun := "is", "an earlier cell", "declares", "it"
	if len(names) > 1 {
		verb, cells, declare, pronoun = "are", "earlier cells", "declare", "them"
	}
	return fmt.Sprintf("%s %s declared in no cell run so far in this kernel: if %s of the notebook %s %s, "+
		"run the cells from the top first (in JupyterLab: Run ▸ Run All Above Selected Cell).",
		strings.Join(names, ", "), verb, cells, declare, pronoun)
}

// reNoModule matches the go command's report of an imported package that no module in go.mod
// provides (with GoNB's automatic `go get` off, %noautoget, or after %reset).
var reNoModule = regexp.MustCompile(`no required module provides package ([^\s;]+)`)

// missingModuleHint is a sentence about the packages that no required module provides, or "".
func missingModuleHint(output string) string {
	paths := firstGroups(reNoModule, output)
	if len(paths) == 0 {
		return ""
	}
	sort.Strings(paths)
	return fmt.Sprintf("No module in this kernel's go.mod provides %s: if the notebook sets up its Go module "+
		"in an earlier cell (a `!*` line), run that cell first (again after a %%reset); for a module of "+
		"your own, run %%autoget, then this cell.", strings.Join(paths, ", "))
}

// goGetHint is a sentence about the packages the cells import, outside the standard library,
// that the output of a failed `go get` names (or a module path of which it names), or "".
func goGetHint(output string, imports map[string]*Import) string {
	var paths []string
	for _, imp := range imports {
		if named(output, imp.Path) {
			paths = append(paths, imp.Path)
		}
	}
	if len(paths) == 0 {
		return ""
	}
	sort.Strings(paths)
	what := "a package this cell imports"
	if len(paths) > 1 {
		what = "packages this cell imports"
	}
	return fmt.Sprintf("GoNB could not fetch %s (%s): if the notebook sets up its Go module in an earlier "+
		"cell (a `!*` line such as `go mod edit -replace`), run that cell first.", what, strings.Join(paths, ", "))
}

// named reports whether output names the import path p, or one of its module paths (a prefix of
// p of two or more elements, followed by "@", ":" or a space), when p is not in the standard
// library (its first element has a dot).
func named(output, p string) bool {
	elems := strings.Split(p, "/")
	if !strings.Contains(elems[0], ".") {
		return false
	}
	if strings.Contains(output, p) {
		return true
	}
	for n := len(elems) - 1; n >= 2; n-- {
		if regexp.MustCompile(regexp.QuoteMeta(strings.Join(elems[:n], "/")) + `[@:\s]`).MatchString(output) {
			return true
		}
	}
	return false
}

// withHintLine is output with hint as a line of its own after it, if hint is not "".
func withHintLine(output, hint string) string {
	if hint == "" {
		return output
	}
	return strings.TrimRight(output, "\n") + "\n" + hint + "\n"
}

// withHint is err with hint as a line of its own after its message, if hint is not "" (errors.As
// and errors.Is still see err).
func withHint(err error, hint string) error {
	if err == nil || hint == "" {
		return err
	}
	return fmt.Errorf("%w\n%s", err, hint)
}
""",
    # A killed kernel cannot remove its /tmp/gonb_* folder (the cell's source and its binary,
    # 2.5 MB each here): measured, 28 were left by the kernels above. The patched GoNB writes its
    # PID into its folder, and at start removes the folders whose GoNB is no longer running.
    "internal/goexec/stale.go": """//go:build unix

package goexec

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// stalePIDFile holds the PID of the GoNB that made the temporary folder it is in (Concurrency
// Kitchen patch).
const stalePIDFile = "gonb.pid"

// writePIDFile records this GoNB's PID in its temporary folder dir.
func writePIDFile(dir string) error {
	return os.WriteFile(filepath.Join(dir, stalePIDFile), []byte(strconv.Itoa(os.Getpid())), 0o600)
}

// removeStaleTempDirs removes the gonb_* folders of the temporary directory that hold the PID
// of a GoNB that is no longer running: the folders of kernels that were killed. A folder with no
// PID file (a GoNB without this patch, or one started with --work) is left alone, and so is one
// whose PID runs a process, whatever it is.
func removeStaleTempDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "gonb_*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, stalePIDFile))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); err == nil || !errors.Is(err, syscall.ESRCH) {
			continue // running (or not ours to ask about)
		}
		_ = os.RemoveAll(dir)
	}
}
""",
    "internal/goexec/stale_other.go": """//go:build !unix

package goexec

// writePIDFile and removeStaleTempDirs do nothing where there is no kill(pid, 0) to ask whether
// a process runs (Concurrency Kitchen patch; see stale.go).
func writePIDFile(string) error { return nil }

func removeStaleTempDirs() {}
""",
    # GoNB starts gopls in a process group of its own, so a kernel killed by Jupyter (SIGKILL to
    # the kernel's process group: a shutdown or restart that timed out, or a kernel that died)
    # leaves gopls running: measured, nine kernels and five restarts killed that way left 28
    # gopls processes holding 1,169 MB. On Linux the patched GoNB asks the kernel to kill gopls
    # when GoNB dies (PR_SET_PDEATHSIG); elsewhere exec_unix.go is used as before.
    "internal/goexec/goplsclient/exec_linux.go": """//go:build linux

package goplsclient

import (
	"os/exec"
	"syscall"
)

// setNewProcessGroup starts gopls in a process group of its own, and (Concurrency Kitchen
// patch) has Linux kill it when GoNB dies.
func setNewProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pgid: 0, Pdeathsig: syscall.SIGKILL}
}
""",
}


def die(msg):
    print(f"gonb_patch: {msg}", file=sys.stderr)
    sys.exit(1)


def module():
    """GoNB's version and directory in the module cache, as the course's go.mod pins it."""
    subprocess.run(["go", "mod", "download", "github.com/janpfeifer/gonb"], check=True)
    out = subprocess.run(["go", "list", "-m", "-f", "{{.Version}} {{.Dir}}", "github.com/janpfeifer/gonb"],
                         check=True, capture_output=True, text=True).stdout.split()
    if len(out) != 2:
        die(f"go list found no GoNB module directory (got {out!r}): run `go mod download` first")
    return out[0], pathlib.Path(out[1])


def main():
    if len(sys.argv) != 2:
        die("usage: gonb_patch.py OUT_DIR")
    out = pathlib.Path(sys.argv[1]).resolve()
    version, src = module()
    if version != VERSION:
        die(f"go.mod pins GoNB {version}, but this patch is for {VERSION}: check whether {version} still "
            f"drops an interrupt that comes during a cell's build (and the other faults this script's docstring "
            f"lists), then update or remove the patch")
    copy = out / "gonb"
    if copy.exists():
        shutil.rmtree(copy, onerror=writable_then_retry)
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("docs", "examples"))  # 64 MB of pictures
    for p in [copy, *copy.rglob("*")]:  # the module cache's files are read-only
        p.chmod(p.stat().st_mode | stat.S_IWUSR)
    for rel, edits in EDITS.items():
        text = (copy / rel).read_text()
        for old, new in edits:
            if text.count(old) != 1:
                die(f"{rel}: the text to patch occurs {text.count(old)} times in GoNB {version}, want 1")
            text = text.replace(old, new)
        (copy / rel).write_text(text)
    for rel, text in NEW_FILES.items():
        if (copy / rel).exists():
            die(f"{rel} already exists in GoNB {version}: the patch would replace it")
        (copy / rel).write_text(text)
    root = pathlib.Path.cwd().resolve()
    go = subprocess.run(["go", "mod", "edit", "-json"], check=True, capture_output=True, text=True).stdout
    work = out / "go.work"
    work.write_text(f"go {json_go(go)}\n\nuse {root}\n\nreplace github.com/janpfeifer/gonb {VERSION} => {copy}\n")
    print(work)


def json_go(modjson):
    """The go version of the course's go.mod, from `go mod edit -json`."""
    import json
    return json.loads(modjson)["Go"]


def writable_then_retry(func, path, _):
    pathlib.Path(path).chmod(stat.S_IWUSR | stat.S_IRUSR | stat.S_IXUSR)
    func(path)


if __name__ == "__main__":
    main()
