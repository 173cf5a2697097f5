"""Self-test of the submission corpus's plumbing (selftests/corpus/apply.py, bugs.yaml, variants.yaml):
every bug and correct variant still applies to its base style (each find text occurs exactly once),
ids are unique, every student file has at least 4 bugs, every mutated file compiles, and the correct
styles are complete. Whether the grader actually catches each bug is selftests/test_corpus.py's job."""
import collections
import importlib.util
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"
_spec = importlib.util.spec_from_file_location("corpus_apply", CORPUS / "apply.py")
corpus_apply = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus_apply)

STYLES = ("loops", "vectorised", "staged", "quirky")
BUGS = corpus_apply.load_bugs(CORPUS / "bugs.yaml")
VARIANTS = corpus_apply.load_variants(CORPUS / "variants.yaml")


def test_bug_ids_are_unique():
    ids = [b["id"] for b in BUGS]
    dupes = [i for i, n in collections.Counter(ids).items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"


def test_enough_bugs_in_every_file():
    per_file = collections.Counter(b["file"] for b in BUGS)
    assert len(BUGS) >= 55
    thin = {f: per_file.get(f, 0) for f in corpus_apply.FILES if per_file.get(f, 0) < 4}
    assert not thin, f"files with fewer than 4 bugs: {thin}"
    for f in ("gradients.py", "batchnorm.py", "rnn.py", "attention.py"):
        assert per_file[f] > 4, f"{f} should have more than the minimum of bugs"


@pytest.mark.parametrize("style", STYLES)
def test_style_is_complete_and_compiles(style):
    for name in corpus_apply.FILES:
        path = CORPUS / "styles" / style / name
        assert path.is_file(), f"{style} lacks {name}"
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


@pytest.mark.parametrize("bug", BUGS, ids=[b["id"] for b in BUGS])
def test_bug_applies_once_and_compiles(bug, tmp_path):
    assert bug["base"] in ("loops", "vectorised"), "bugs mutate the loops or vectorised style"
    for find, _ in corpus_apply.edits_of(bug):
        base_text = (CORPUS / "styles" / bug["base"] / bug["file"]).read_text(encoding="utf-8")
        assert base_text.count(find) == 1, f"find text occurs {base_text.count(find)} times:\n{find}"
    mutated = corpus_apply.materialise(bug, CORPUS / "styles", tmp_path)
    assert mutated == tmp_path / bug["file"]
    text = mutated.read_text(encoding="utf-8")
    compile(text, str(mutated), "exec")
    base_dir = CORPUS / "styles" / bug["base"]
    assert text != (base_dir / bug["file"]).read_text(encoding="utf-8")
    for name in corpus_apply.FILES:
        if name != bug["file"]:
            assert (tmp_path / name).read_bytes() == (base_dir / name).read_bytes(), \
                f"{name} must be the base style's file unchanged"


def _write_style(root, text="x = 1\n"):
    style = root / "styles" / "mini"
    style.mkdir(parents=True)
    for name in corpus_apply.FILES:
        (style / name).write_text(text)
    return root / "styles"


@pytest.mark.parametrize("find, count", [("nowhere\n", 0), ("x = 1\n", 2)])
def test_find_must_occur_exactly_once(tmp_path, find, count):
    styles = _write_style(tmp_path, "x = 1\nx = 1\n" if count == 2 else "x = 1\n")
    bug = {"id": "gnn-rotten", "file": "gnn.py", "base": "mini", "mistake": "m",
           "find": find, "replace": "y = 2\n"}
    with pytest.raises(corpus_apply.BugError, match=f"occurs {count} times"):
        corpus_apply.materialise(bug, styles, tmp_path / "out")


def test_edits_apply_in_order(tmp_path):
    styles = _write_style(tmp_path, "a = 1\nb = 2\n")
    bug = {"id": "cnn-two-edits", "file": "cnn.py", "base": "mini", "mistake": "m",
           "edits": [{"find": "a = 1\n", "replace": "a = 3\n"}, {"find": "a = 3\nb", "replace": "a = 4\nb"}]}
    out = corpus_apply.materialise(bug, styles, tmp_path / "out")
    assert out.read_text() == "a = 4\nb = 2\n"
    assert (tmp_path / "out" / "rnn.py").read_text() == "a = 1\nb = 2\n"


@pytest.mark.parametrize("bad, message", [
    ({"id": "gnn-x", "file": "gnn.py", "base": "mini", "mistake": "m"}, "either find/replace or edits"),
    ({"id": "rnn-x", "file": "gnn.py", "base": "mini", "mistake": "m", "find": "a", "replace": "b"},
     "must start with the file stem"),
    ({"id": "gnn-x", "file": "gnn2.py", "base": "mini", "mistake": "m", "find": "a", "replace": "b"},
     "not one of the eight"),
    ({"id": "gnn-x", "file": "gnn.py", "base": "mini", "mistake": "m", "find": "a", "replace": "a"},
     "by itself"),
])
def test_malformed_entries_are_rejected(tmp_path, bad, message):
    path = tmp_path / "bugs.yaml"
    import yaml
    path.write_text(yaml.safe_dump([bad]))
    with pytest.raises(corpus_apply.BugError, match=message):
        corpus_apply.load_bugs(path)


def test_duplicate_ids_are_rejected(tmp_path):
    import yaml
    entry = {"id": "gnn-x", "file": "gnn.py", "base": "mini", "mistake": "m", "find": "a", "replace": "b"}
    path = tmp_path / "bugs.yaml"
    path.write_text(yaml.safe_dump([entry, dict(entry)]))
    with pytest.raises(corpus_apply.BugError, match="duplicate"):
        corpus_apply.load_bugs(path)


@pytest.mark.parametrize("variant", VARIANTS, ids=[v["id"] for v in VARIANTS])
def test_correct_variant_applies_once_and_compiles(variant, tmp_path):
    mutated = corpus_apply.materialise(variant, CORPUS / "styles", tmp_path)
    compile(mutated.read_text(encoding="utf-8"), str(mutated), "exec")
    assert mutated.read_text() != (CORPUS / "styles" / variant["base"] / variant["file"]).read_text()


def test_a_variant_says_what_it_changes_and_cannot_claim_a_misconception(tmp_path):
    import yaml
    entry = {"id": "gnn-x", "file": "gnn.py", "base": "mini", "change": "c", "find": "a", "replace": "b",
             "misconception": "gnn-sum-aggregation"}
    path = tmp_path / "variants.yaml"
    path.write_text(yaml.safe_dump([entry]))
    with pytest.raises(corpus_apply.BugError, match="only bugs have it"):
        corpus_apply.load_variants(path)
    path.write_text(yaml.safe_dump([{k: v for k, v in entry.items() if k not in ("change", "misconception")}]))
    with pytest.raises(corpus_apply.BugError, match="'change'"):
        corpus_apply.load_variants(path)
