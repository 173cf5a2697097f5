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

    def file_score(self, file):
        return sum(t["score"] for t in self.results["tests"] if t["extra_data"]["file"] == file)

    def file_max(self, file):
        return sum(t["max_score"] for t in self.results["tests"] if t["extra_data"]["file"] == file)


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
