"""Discrimination, proved on a corpus: the reference and correct code in any style earn every point,
and each single real mistake loses points in its own file and nowhere else, in a visible test wherever
a gradient check can see it, and is told by name when the catalogue knows it.

The corpus (selftests/corpus/) holds four correct styles, correct variants with the stabilising
epsilons students add (variants.yaml) and the single-bug submissions of bugs.yaml; all of them are
graded here with the real tests and rubric, through `./grader batch`, exactly as a class would be.
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
from reference import misconceptions as catalogue  # noqa: E402

STYLES = sorted(p.name for p in apply.STYLES_DIR.iterdir() if p.is_dir())
BUGS = apply.load_bugs(apply.BUGS_PATH)
VARIANTS = apply.load_variants(apply.VARIANTS_PATH)
CORRECT = ["reference"] + [f"style-{style}" for style in STYLES] + [f"variant-{v['id']}" for v in VARIANTS]
# Each file is graded on its own, so a bug's other seven files grade as its base style does. The
# first bug of each file keeps all eight, as the witness that a bug costs nothing elsewhere; the
# others are graded with their own file only, which costs an eighth of a whole grading.
WITNESSES = {bug["file"]: bug for bug in reversed(BUGS)}.values()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """{submission id: (results.json, record.json)} for every correct submission and every bug, graded
    as one batch."""
    root = tmp_path_factory.mktemp("corpus")
    submissions, out = root / "submissions", root / "batch"
    for style in STYLES:
        for file in apply.FILES:
            (submissions / f"style-{style}").mkdir(parents=True, exist_ok=True)
            (submissions / f"style-{style}" / file).write_text((apply.STYLES_DIR / style / file).read_text())
    for entry, prefix in [(bug, "bug") for bug in BUGS] + [(variant, "variant") for variant in VARIANTS]:
        apply.materialise(entry, apply.STYLES_DIR, submissions / f"{prefix}-{entry['id']}")
    for bug in BUGS:
        if bug not in WITNESSES:
            for file in apply.FILES:
                if file != bug["file"]:
                    (submissions / f"bug-{bug['id']}" / file).unlink()
    (submissions / "reference").mkdir()
    for file in apply.FILES:
        (submissions / "reference" / file).write_text((REPO / "source" / "reference" / file).read_text())
    subprocess.run([sys.executable, "-I", str(REPO / "source" / "staff"), "batch", str(submissions),
                    "--out", str(out), "--jobs", "2", "--quiet"], check=True, timeout=3000)
    return {p.name: (json.loads((p / "results.json").read_text()), json.loads((p / "record.json").read_text()))
            for p in (out / "results").iterdir()}


def points(results, file):
    tests = [t for t in results["tests"] if t["extra_data"]["file"] == file]
    return sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)


def named(record):
    """Every misconception id the feedback of a graded submission named."""
    return {m for outcome in record["outcomes"] for m in outcome.get("misconceptions", [])}


def test_the_rubric_totals_100_points():
    assert yaml.safe_load((REPO / "rubric.yaml").read_text())["total"] == 100


@pytest.mark.parametrize("submission", CORRECT)
def test_a_correct_submission_earns_every_point(corpus, submission):
    results, record = corpus[submission]
    failed = [f"{t['name']}: {t['output'][:300]}" for t in results["tests"] if t["status"] != "passed"]
    assert failed == []
    assert results["score"] == 100
    assert named(record) == set()


@pytest.mark.parametrize("bug", BUGS, ids=[b["id"] for b in BUGS])
def test_a_single_bug_loses_points_in_its_own_file(corpus, bug):
    results, _ = corpus[f"bug-{bug['id']}"]
    earned, possible = points(results, bug["file"])
    assert earned < possible, f"{bug['id']} ({bug['mistake']}) escaped every test of {bug['file']}"


@pytest.mark.parametrize("bug", list(WITNESSES), ids=lambda b: b["id"])
def test_a_bug_costs_no_point_in_the_other_files(corpus, bug):
    results, _ = corpus[f"bug-{bug['id']}"]
    for file in apply.FILES:
        if file != bug["file"]:
            assert points(results, file)[0] == points(results, file)[1], f"{bug['id']} cost points in {file}"


@pytest.mark.parametrize("bug", BUGS, ids=[b["id"] for b in BUGS])
def test_a_single_bug_fails_a_visible_test_unless_only_hidden_tests_can_see_it(corpus, bug):
    """Before the due date a student sees the bug, unless bugs.yaml says why only a hidden test can (ties,
    inputs of size 1e4, error cases, functions without a gradient or a worked example); a bug marked so
    that a visible test does catch must lose the mark, so the claim cannot rot."""
    results, _ = corpus[f"bug-{bug['id']}"]
    visible = [t["name"] for t in results["tests"]
               if t["extra_data"]["file"] == bug["file"] and "_examples.py::" in t["extra_data"]["id"]
               and t["status"] != "passed"]
    if "hidden_only" in bug:
        assert visible == [], f"{bug['id']} is caught by a visible test; remove its hidden_only"
    else:
        assert visible, f"{bug['id']} ({bug['mistake']}) fails no visible test"


@pytest.mark.parametrize("bug", [b for b in BUGS if "misconception" in b], ids=lambda b: b["id"])
def test_a_catalogued_mistake_is_named_in_the_feedback(corpus, bug):
    _, record = corpus[f"bug-{bug['id']}"]
    assert bug["misconception"] in named(record)
    sentence = next(m.sentence for m in catalogue.CATALOGUE if m.id == bug["misconception"])
    told = [o for o in record["outcomes"] if bug["misconception"] in o.get("misconceptions", [])]
    assert all(sentence in o["hidden_output"] and sentence in o["visible_output"] for o in told)


def test_every_catalogued_misconception_is_named_for_a_bug_of_the_corpus():
    claimed = {bug["misconception"] for bug in BUGS if "misconception" in bug}
    ids = [m.id for m in catalogue.CATALOGUE]
    assert len(ids) == len(set(ids))
    assert set(ids) == claimed


def test_a_misconception_is_only_named_for_the_file_it_belongs_to(corpus):
    stems = {m.id: m.id.split("-")[0] for m in catalogue.CATALOGUE}
    for bug in BUGS:
        for found in named(corpus[f"bug-{bug['id']}"][1]):
            assert stems[found] == bug["file"][:-3], f"{bug['id']} was told {found}"
