"""A class graded on a small disk, one student of which tries to fill it.

The batch runs in a mount namespace of its own, with its temporary files (where each run's
scratch folder lives) and its output on a tmpfs of a few hundred MB; root only (CI runs as root).
"""
import csv
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .helpers import CORRECT, REPO, TOY

pytestmark = pytest.mark.skipif(shutil.which("unshare") is None or subprocess.run(
    ["id", "-u"], capture_output=True, text=True).stdout.strip() != "0", reason="needs root to mount a tmpfs")

FILLER = (TOY / "submissions" / "fills-the-disk" / "toy.py").read_text()


def batch_on_a_small_disk(tmp_path, size_mb, disk_mb):
    """Grade four students (one filler) with --jobs 2 on a tmpfs of size_mb; the batch folder."""
    submissions = tmp_path / "submissions"
    for name in ("amy", "bob", "cal", "dan-fills-the-disk"):
        shutil.copytree(CORRECT, submissions / name)
    (submissions / "dan-fills-the-disk" / "toy.py").write_text(FILLER)
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((TOY / "rubric.yaml").read_text().replace("memory_mb: 400}", f"memory_mb: 400, disk_mb: {disk_mb}}}"))
    disk, kept = Path(tempfile.mkdtemp(prefix="ag-small-disk-")), tmp_path / "kept"
    disk.chmod(0o755)  # the sandbox users must reach the run folders on it, as they reach /tmp
    script = (f"set -e; mount -t tmpfs -o size={size_mb}m tmpfs '{disk}'; "
              f"TMPDIR='{disk}' '{sys.executable}' -I '{REPO / 'source' / 'staff'}' batch '{submissions}' "
              f"--out '{disk / 'out'}' --jobs 2 --rubric '{rubric}' --tests '{TOY / 'tests'}' --quiet; "
              f"cp -r '{disk / 'out'}' '{kept}'")
    try:
        proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c", script],
                              capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    finally:
        disk.rmdir()  # the tmpfs was mounted only inside the namespace, so this is the empty mount point
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return kept


def scores(batch):
    with open(batch / "grades.csv", encoding="utf-8-sig") as stream:
        rows = list(csv.reader(stream))
    header = rows[0]
    return {row[header.index("submission")]: float(row[header.index("total")]) for row in rows[1:]}


def scale_output(batch, student):
    results = json.loads((batch / "results" / student / "results.json").read_text())
    return next(t for t in results["tests"] if t["extra_data"]["id"].endswith("test_scale_doubles_a_vector"))


def test_a_student_over_the_quota_is_stopped_and_the_class_is_graded(tmp_path):
    batch = batch_on_a_small_disk(tmp_path, size_mb=256, disk_mb=16)
    graded = scores(batch)
    assert {name: graded[name] for name in ("amy", "bob", "cal")} == {"amy": 15, "bob": 15, "cal": 15}
    assert graded["dan-fills-the-disk"] < 15
    assert "stopped for writing more than 16 MB" in scale_output(batch, "dan-fills-the-disk")["output"]


def test_a_student_who_fills_the_disk_before_the_quota_is_stopped_and_named(tmp_path):
    """The quota (1 GB) is more than the disk (160 MB): the disk's reserve stops the filler."""
    batch = batch_on_a_small_disk(tmp_path, size_mb=160, disk_mb=1000)
    graded = scores(batch)
    assert {name: graded[name] for name in ("amy", "bob", "cal")} == {"amy": 15, "bob": 15, "cal": 15}
    assert graded["dan-fills-the-disk"] < 15
    assert "while the disk was nearly full" in scale_output(batch, "dan-fills-the-disk")["output"]
