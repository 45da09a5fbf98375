"""tools/notebooks.py - the lecture's notebooks: percent-format Lua sources -> executed .ipynb.

    /usr/bin/python3 tools/notebooks.py build SRC.lua...   # NN-name.lua -> NN-name.ipynb, with outputs
    /usr/bin/python3 tools/notebooks.py check [--save DIR] NB.ipynb...  # same cells as its .lua, runs clean
    /usr/bin/python3 tools/notebooks.py paste SRC.lua...   # its code cells typed into the REPL

A source is a Lua script in jupytext's "percent" format: a line `-- %%` starts a code cell,
`-- %% [markdown]` a text cell whose lines are Lua comments (`-- ` is taken off each). Blank lines
around a cell are not part of it; lines before the first marker are the file's header (luacheck
options, say), in no cell. `build` writes the notebook next to its source (nbformat 4,
cvision's kernelspec, language_info lua) and executes it with nbclient through cvision's Jupyter
kernel, so the .ipynb is saved with its outputs (streams, results, image/png figures). It fails,
and leaves the old .ipynb alone, when a cell raises. `check` fails when a notebook's cells differ
from its .lua (the two never drift apart) or when any cell raises, naming the notebook and the cell
(its index and first line); --save DIR writes each executed notebook into DIR (the specs read its
outputs there). Every cell has a timeout ($CVISION_CELL_TIMEOUT, 600 s), so nothing hangs.
`paste` types each code cell's lines into the interactive REPL (`bin/cvision` on a pseudo-terminal,
so through its line editor, in a temporary folder), as a user pasting the cells one by one, waits
for the prompt after each line, and fails naming the notebook and the REPL's error when a line
raises one.

The kernel is bin/cvision ($CVISION_BIN overrides): its kernelspec is installed into a temporary
prefix (`cvision --install-kernel --prefix P`) found through $JUPYTER_PATH, so nothing beyond
`make deps` (python3-nbclient, python3-jupyter-client) is needed on the machine. A notebook runs
with its own folder as the working directory, as Jupyter runs it. Exit status: 0 all good, 1 a
notebook failed, 2 usage, 3 the Jupyter packages are missing.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL_NAME = "cvision"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": "cvision (Lua 5.4)", "language": "lua"}
LANGUAGE_INFO = {"name": "lua", "version": "5.4", "mimetype": "text/x-lua", "file_extension": ".lua",
                 "codemirror_mode": "lua"}
USAGE = "usage: tools/notebooks.py build SRC.lua... | check [--save DIR] NB.ipynb... | paste SRC.lua..."

try:
    import nbformat
    from nbclient import NotebookClient
except ImportError as e:
    print("tools/notebooks.py: missing %s: make deps installs python3-nbclient "
          "(and python3-nbformat, python3-jupyter-client)" % e.name, file=sys.stderr)
    sys.exit(3)

CELL_TIMEOUT = int(os.environ.get("CVISION_CELL_TIMEOUT", "600"))
MARKER = re.compile(r"^-- %%(.*)$")


def parse_percent(text):
    """[(cell_type, source)] of a percent-format Lua script"""
    cells, kind, lines = [], None, []

    def close():
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        if lines and kind:
            cells.append((kind, "\n".join(lines)))

    for line in text.splitlines():
        m = MARKER.match(line)
        if m:
            close()
            kind, lines = ("markdown" if "[markdown]" in m.group(1) else "code"), []
        elif kind == "markdown":
            lines.append(re.sub(r"^-- ?", "", line) if line.startswith("--") else line)
        else:
            lines.append(line)
    close()
    return cells


def notebook_of(src_path):
    with open(src_path, encoding="utf-8") as f:
        cells = parse_percent(f.read())
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    nb.metadata["jupytext"] = {"formats": "ipynb,lua:percent"}
    for i, (kind, source) in enumerate(cells):
        cell = (nbformat.v4.new_markdown_cell(source) if kind == "markdown"
                else nbformat.v4.new_code_cell(source))
        # an id from the cell's place and text (nbformat's are random): a rebuild changes no line
        # of the .ipynb that the .lua and the outputs did not change
        cell["id"] = "%02d-%s" % (i, hashlib.sha1(source.encode("utf-8")).hexdigest()[:8])
        nb.cells.append(cell)
    return nb


class Kernelspec:
    """cvision's kernelspec in a temporary prefix, on $JUPYTER_PATH while it lives"""

    def __enter__(self):
        exe = exe_path()
        if not os.access(exe, os.X_OK):
            raise SystemExit("tools/notebooks.py: %s is missing: run make first" % exe)
        self.prefix = tempfile.mkdtemp(prefix="cvision-kernelspec-")
        r = subprocess.run([exe, "--install-kernel", "--prefix", self.prefix], capture_output=True, text=True)
        if r.returncode != 0:
            shutil.rmtree(self.prefix, ignore_errors=True)
            raise SystemExit("tools/notebooks.py: %s --install-kernel failed:\n%s%s" % (exe, r.stdout, r.stderr))
        self.saved = os.environ.get("JUPYTER_PATH")
        path = os.path.join(self.prefix, "share", "jupyter")
        os.environ["JUPYTER_PATH"] = path + (os.pathsep + self.saved if self.saved else "")
        return self

    def __exit__(self, *exc):
        if self.saved is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = self.saved
        shutil.rmtree(self.prefix, ignore_errors=True)


def first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def cell_error(cell):
    """the text of a cell's error output, or None"""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return "%s: %s" % (out.get("ename"), out.get("evalue"))
    return None


def last_line(e):
    lines = str(e).strip().splitlines()
    return lines[-1] if lines else ""


def execute(nb, path, name):
    """runs nb's cells in order (cwd: path); --> None, or the failure's message naming the cell"""
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=KERNEL_NAME, allow_errors=False,
                            record_timing=False, resources={"metadata": {"path": path}})
    try:
        with client.setup_kernel():
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, i)
                except Exception as e:  # CellExecutionError, CellTimeoutError, DeadKernelError
                    why = cell_error(cell) or "%s: %s" % (type(e).__name__, last_line(e))
                    if "Timeout" in type(e).__name__:
                        why = "still running after %d s ($CVISION_CELL_TIMEOUT)" % CELL_TIMEOUT
                    return "%s: cell %d (%s) failed: %s" % (name, i, first_line(cell.source), why)
    except Exception as e:  # the kernel did not start (or not stop)
        return "%s: the cvision kernel failed: %s: %s" % (name, type(e).__name__, last_line(e))
    # the kernel reports its own language_info; keep the canonical one (stable files)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    return None


def source_of(nb_path):
    return re.sub(r"\.ipynb$", ".lua", nb_path)


def build(srcs):
    failed = 0
    for src in srcs:
        if not src.endswith(".lua"):
            print("%s: not a .lua source" % src, file=sys.stderr)
            failed += 1
            continue
        nb = notebook_of(src)
        dst = re.sub(r"\.lua$", ".ipynb", src)
        t0 = time.time()
        err = execute(nb, os.path.dirname(os.path.abspath(src)), dst)
        if err:
            print(err, file=sys.stderr)
            failed += 1
            continue
        tmp = dst + ".tmp"
        nbformat.write(nb, tmp)
        os.replace(tmp, dst)
        print("%s: %d cells, executed in %.1f s" % (dst, len(nb.cells), time.time() - t0), flush=True)
    return failed


def same_cells(nb, ref):
    """None when nb has ref's cells (types and sources), else what differs"""
    a = [(c.cell_type, c.source) for c in nb.cells]
    b = [(c.cell_type, c.source) for c in ref.cells]
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "cell %d (%s) differs from its .lua source" % (i, first_line(x[1]))
    if len(a) != len(b):
        return "%d cells, its .lua source has %d" % (len(a), len(b))
    return None


def check(paths, save=None):
    failed = 0
    for p in paths:
        src = source_of(p)
        if not os.path.exists(p):
            print("%s: no such notebook (make notebooks builds it from %s)" % (p, src), file=sys.stderr)
            failed += 1
            continue
        nb = nbformat.read(p, as_version=4)
        if os.path.exists(src):
            diff = same_cells(nb, notebook_of(src))
            if diff:
                print("%s: %s: run make notebooks" % (p, diff), file=sys.stderr)
                failed += 1
                continue
        else:
            print("%s: its source %s is missing" % (p, src), file=sys.stderr)
            failed += 1
            continue
        for c in nb.cells:
            if c.cell_type == "code":
                c.outputs, c.execution_count = [], None
        t0 = time.time()
        err = execute(nb, os.path.dirname(os.path.abspath(p)), p)
        if err:
            print(err, file=sys.stderr)
            failed += 1
        else:
            print("%s: ok, %d cells in %.1f s" % (p, len(nb.cells), time.time() - t0), flush=True)
        if save:
            os.makedirs(save, exist_ok=True)
            nbformat.write(nb, os.path.join(save, os.path.basename(p)))
    return failed


def exe_path():
    return os.path.abspath(os.environ.get("CVISION_BIN") or os.path.join(ROOT, "bin", "cvision"))


def repl_paste(src):
    """types src's code cells into the REPL on a pty; --> None, or the REPL's first error"""
    import pty
    import select
    lines = []   # (cell index, the cell's first line, the line)
    for i, (kind, source) in enumerate(parse_percent(open(src, encoding="utf-8").read())):
        if kind == "code":
            lines.extend((i, first_line(source), line) for line in source.splitlines())
    work = tempfile.mkdtemp(prefix="cvision-paste-")
    env = dict(os.environ, CVISION_INLINE="0", TERM="dumb")
    exe = exe_path()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the REPL, in the temporary folder
        try:
            os.chdir(work)
            os.execve(exe, [exe], env)
        finally:
            os._exit(127)
    out = bytearray()

    def read_until_prompt(timeout):
        start, end = len(out), time.time() + timeout
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return False
                if not chunk:
                    return False
                out.extend(chunk)
                if out[start:].endswith(b"> "):
                    return True
        return False

    try:
        if not read_until_prompt(30):
            return "the REPL did not start: %s" % out.decode(errors="replace")
        for cell, first, line in lines:
            start = len(out)
            os.write(fd, line.encode("utf-8") + b"\r")
            ok = read_until_prompt(CELL_TIMEOUT)
            said = out[start:].decode(errors="replace").replace("\r", "").split("\n")
            err = "stack traceback:" in said and said[max(said.index("stack traceback:") - 1, 0)]
            if err or not ok:
                why = ("the REPL said: %s" % err) if err else ("no prompt within %d s" % CELL_TIMEOUT)
                return "cell %d (%s), line %s: %s" % (cell, first, line.strip(), why)
        os.write(fd, b"os.exit(0)\r")
        read_until_prompt(5)
    finally:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
        shutil.rmtree(work, ignore_errors=True)
    return None


def paste(srcs):
    failed = 0
    for src in srcs:
        t0 = time.time()
        err = repl_paste(src)
        if err:
            print("%s pasted into the REPL: %s" % (src, err), file=sys.stderr)
            failed += 1
        else:
            print("%s: pasted into the REPL, ok in %.1f s" % (src, time.time() - t0), flush=True)
    return failed


def main(argv):
    if len(argv) < 2 or argv[0] not in ("build", "check", "paste"):
        print(USAGE, file=sys.stderr)
        return 2
    if argv[0] == "paste":
        return 1 if paste(argv[1:]) else 0
    args, save = argv[1:], None
    if argv[0] == "check" and args and args[0] == "--save":
        if len(args) < 3:
            print(USAGE, file=sys.stderr)
            return 2
        save, args = args[1], args[2:]
    with Kernelspec():
        failed = build(args) if argv[0] == "build" else check(args, save)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
