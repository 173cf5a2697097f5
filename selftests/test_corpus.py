"""Discrimination, proved on a corpus: the reference and correct code in any style earn every point,
and each single real mistake loses points in its own file and nowhere else.

The corpus (selftests/corpus/) holds four correct styles and the single-bug submissions of
bugs.yaml; all of them are graded here with the real tests and rubric, through `./grader batch`,
exactly as a class would be.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "selftests" / "corpus"))

import apply  # noqa: E402

STYLES = sorted(p.name for p in apply.STYLES_DIR.iterdir() if p.is_dir())
BUGS = apply.load_bugs(apply.BUGS_PATH)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """{submission id: results.json} for every style and every bug, graded as one batch."""
    root = tmp_path_factory.mktemp("corpus")
    submissions, out = root / "submissions", root / "batch"
    for style in STYLES:
        for file in apply.FILES:
            (submissions / f"style-{style}").mkdir(parents=True, exist_ok=True)
            (submissions / f"style-{style}" / file).write_text((apply.STYLES_DIR / style / file).read_text())
    for bug in BUGS:
        apply.materialise(bug, apply.STYLES_DIR, submissions / f"bug-{bug['id']}")
    (submissions / "reference").mkdir()
    for file in apply.FILES:
        (submissions / "reference" / file).write_text((REPO / "source" / "reference" / file).read_text())
    subprocess.run([sys.executable, "-I", str(REPO / "source" / "staff"), "batch", str(submissions),
                    "--out", str(out), "--jobs", "2", "--quiet"], check=True, timeout=3000)
    return {p.parent.name: json.loads(p.read_text()) for p in (out / "results").glob("*/results.json")}


def points(results, file):
    tests = [t for t in results["tests"] if t["extra_data"]["file"] == file]
    return sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)


def test_the_rubric_totals_100_points():
    assert yaml.safe_load((REPO / "rubric.yaml").read_text())["total"] == 100


@pytest.mark.parametrize("submission", ["reference"] + [f"style-{style}" for style in STYLES])
def test_a_correct_submission_earns_every_point(corpus, submission):
    results = corpus[submission]
    failed = [f"{t['name']}: {t['output'][:300]}" for t in results["tests"] if t["status"] != "passed"]
    assert failed == []
    assert results["score"] == 100


@pytest.mark.parametrize("bug", BUGS, ids=[b["id"] for b in BUGS])
def test_a_single_bug_loses_points_in_its_own_file_only(corpus, bug):
    results = corpus[f"bug-{bug['id']}"]
    earned, possible = points(results, bug["file"])
    assert earned < possible, f"{bug['id']} ({bug['mistake']}) escaped every test of {bug['file']}"
    for file in apply.FILES:
        if file != bug["file"]:
            assert points(results, file)[0] == points(results, file)[1], f"{bug['id']} cost points in {file}"
