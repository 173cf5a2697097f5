"""Grading a submission exactly as run_autograder does, for the self-tests.

Grading runs in a subprocess (`python -I source/grade.py ...`), so these tests exercise the real
trust boundary, the real sandbox user when run as root (as in CI), and the real results.json.
"""
import dataclasses
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parents[2]
TOY = REPO / "selftests" / "fixtures" / "toy"
SCHEMA = json.loads((REPO / "selftests" / "fixtures" / "results.schema.json").read_text())
AS_ROOT = os.geteuid() == 0
# Exactly the capabilities Docker gives a container's root by default, as on Gradescope: no
# CAP_SYS_ADMIN, so no new namespaces.
DOCKER_CAPS = ["setpriv", "--bounding-set", "-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,"
               "+net_bind_service,+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap", "--"]


@dataclasses.dataclass
class Graded:
    results: dict
    stdout: str
    path: Path

    @property
    def overview(self):
        """The summary at the top as a student reads it (Markdown's backslash escapes removed)."""
        return re.sub(r"\\(.)", r"\1", self.results["output"])

    def test(self, function):
        """The results entry of the test whose function name is `function`."""
        matches = [t for t in self.results["tests"] if t["extra_data"]["id"].split("::")[-1] == function]
        assert len(matches) == 1, f"no single test named {function}"
        return matches[0]

    def shown(self, function):
        """The output of test `function` as a reader sees it once Markdown is rendered."""
        return shown(self.test(function)["output"])

    def everything_shown(self):
        """All a reader sees, rendered: the summary and every test's output. Check that something
        is absent here, not in the raw JSON, where Markdown escapes would hide it from the check."""
        return "\n".join(shown(text) for text in [self.results["output"]] + [t["output"] for t in self.results["tests"]])

    def file_score(self, file):
        return sum(t["score"] for t in self.results["tests"] if t["extra_data"]["file"] == file)

    def file_max(self, file):
        return sum(t["max_score"] for t in self.results["tests"] if t["extra_data"]["file"] == file)


MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def html(markdown):
    """Markdown as a CommonMark renderer turns it into HTML, raw HTML passed through (as a
    permissive renderer would), so that any markup a student smuggled in shows up as tags."""
    return MARKDOWN.render(markdown)


def shown(markdown):
    """The text a reader sees: the rendered HTML without its tags, entities decoded."""
    import html as html_module
    import re
    return html_module.unescape(re.sub(r"<[^>]*>", "", html(markdown)))


def nest_folders(root, depth, name="d", file=None):
    """A chain of `depth` folders named `name` under root, with `file` ({name: text}) at the bottom.

    Built one relative step at a time: the whole path is too long for a single system call.
    """
    here = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=here)
            inner = os.open(name, os.O_RDONLY, dir_fd=here)
            os.close(here)
            here = inner
        for file_name, text in (file or {}).items():
            with open(os.open(file_name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=here), "w") as stream:
                stream.write(text)
    finally:
        os.close(here)


def remove_nested(root, name="d"):
    """Remove what nest_folders made (shutil.rmtree, and so pytest's cleanup, recurses and fails)."""
    chain = [os.open(root, os.O_RDONLY)]
    try:
        while True:
            try:
                chain.append(os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=chain[-1]))
            except FileNotFoundError:
                break
        while len(chain) > 1:
            here = chain.pop()
            for entry in os.listdir(here):
                os.unlink(entry, dir_fd=here)
            os.close(here)
            os.rmdir(name, dir_fd=chain[-1])
    finally:
        for fd in chain:
            os.close(fd)


def write_files(folder, files):
    """files: {relative path: source text}; the text is dedented."""
    for name, text in files.items():
        path = Path(folder) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return Path(folder)


def run_grader(submission, tmp_path, rubric=TOY / "rubric.yaml", tests=TOY / "tests", extra=(), timeout=300,
               wrapper=(), source=REPO / "source"):
    """Grade with source/grade.py in a subprocess; `wrapper` prefixes the command (e.g. DOCKER_CAPS)."""
    out = Path(tmp_path) / "results" / "results.json"
    command = [*wrapper, sys.executable, "-I", str(Path(source) / "grade.py"), "--submission", str(submission),
               "--results", str(out), "--rubric", str(rubric), "--tests", str(tests), *extra]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(out.read_text())
    jsonschema.validate(results, SCHEMA)
    return Graded(results, proc.stdout, out)


CORRECT_TOY = (TOY / "submissions" / "correct" / "toy.py").read_text()
CORRECT_OTHER = (TOY / "submissions" / "correct" / "other.py").read_text()
