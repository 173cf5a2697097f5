"""Turn the single-bug entries of bugs.yaml into submissions on disk.

A bug is a minimal mutation of ONE file of one correct style in styles/<base>/:

    - id: batchnorm-unbiased-variance      # unique, <file stem>-<short mistake>
      file: batchnorm.py
      base: vectorised
      mistake: uses the unbiased (N-1) variance instead of the biased one
      find: |
        var = x.var(axis=0)
      replace: |
        var = x.var(axis=0, ddof=1)

or, when one mistake needs several edits, ``edits: [{find: ..., replace: ...}, ...]`` instead of
``find``/``replace``. Edits are applied in order; each ``find`` must occur exactly once in the text
as it is when that edit is applied, otherwise BugError is raised, so a bug can never silently stop
applying when its base file changes.

Only the standard library and PyYAML are used.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

FILES = ("gradients.py", "batchnorm.py", "rnn.py", "attention.py",
         "cnn.py", "beam_search.py", "gnn.py", "autoencoder.py")
HERE = Path(__file__).resolve().parent
STYLES_DIR = HERE / "styles"
BUGS_PATH = HERE / "bugs.yaml"
VARIANTS_PATH = HERE / "variants.yaml"
# A bug says its `mistake`, a correct variant what it `change`s; a bug may name the catalogued
# `misconception` it must be told, or say why it is seen by `hidden_only` tests.
_KEYS = {"id", "file", "base", "find", "replace", "edits", "misconception", "hidden_only"}


class BugError(ValueError):
    """A bugs.yaml entry is malformed or no longer applies to its base file."""


def edits_of(bug: dict) -> list[tuple[str, str]]:
    """The (find, replace) pairs of a bug, in the order they are applied."""
    if "edits" in bug:
        return [(e["find"], e["replace"]) for e in bug["edits"]]
    return [(bug["find"], bug["replace"])]


def _validate(bug, where: str, described_by: str = "mistake") -> None:
    if not isinstance(bug, dict):
        raise BugError(f"{where}: an entry must be a mapping, got {type(bug).__name__}")
    name = bug.get("id", where)
    for key in ("id", "file", "base", described_by):
        if not isinstance(bug.get(key), str) or not bug[key].strip():
            raise BugError(f"{name}: missing or empty string field {key!r}")
    for key in ("misconception", "hidden_only"):
        if key in bug and (described_by != "mistake" or not isinstance(bug[key], str) or not bug[key].strip()):
            raise BugError(f"{name}: {key!r} must be a non-empty string, and only bugs have it")
    unknown = set(bug) - _KEYS - {described_by}
    if unknown:
        raise BugError(f"{name}: unknown field(s) {sorted(unknown)}")
    if bug["file"] not in FILES:
        raise BugError(f"{name}: file {bug['file']!r} is not one of the eight student files")
    stem = bug["file"][:-3]
    if not bug["id"].startswith(stem + "-"):
        raise BugError(f"{name}: id must start with the file stem {stem + '-'!r}")
    has_pair = "find" in bug or "replace" in bug
    if has_pair == ("edits" in bug):
        raise BugError(f"{name}: give either find/replace or edits, not both or neither")
    if has_pair:
        pairs = [{"find": bug.get("find"), "replace": bug.get("replace")}]
    else:
        pairs = bug["edits"]
        if not isinstance(pairs, list) or not pairs:
            raise BugError(f"{name}: edits must be a non-empty list")
    for i, e in enumerate(pairs):
        if not isinstance(e, dict) or set(e) != {"find", "replace"}:
            raise BugError(f"{name}: edit {i} must have exactly the keys find and replace")
        if not isinstance(e["find"], str) or not e["find"]:
            raise BugError(f"{name}: edit {i} has an empty find text")
        if not isinstance(e["replace"], str):
            raise BugError(f"{name}: edit {i} has a non-string replace text")
        if e["find"] == e["replace"]:
            raise BugError(f"{name}: edit {i} replaces a text by itself")


def load_bugs(path: str | Path = BUGS_PATH, described_by: str = "mistake") -> list[dict]:
    """Read and validate bugs.yaml; returns its entries (dicts) in file order."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, list):
        raise BugError(f"{path}: the top level must be a list of bugs")
    seen = set()
    for i, bug in enumerate(data):
        _validate(bug, f"{path} entry {i}", described_by)
        if bug["id"] in seen:
            raise BugError(f"duplicate bug id {bug['id']!r}")
        seen.add(bug["id"])
    return data


def load_variants(path: str | Path = VARIANTS_PATH) -> list[dict]:
    """Read and validate variants.yaml: edits that keep a style correct (each says what it `change`s)."""
    return load_bugs(path, described_by="change")


def mutate(text: str, bug: dict) -> str:
    """Apply the bug's edits to the text of its base file."""
    for i, (find, replace) in enumerate(edits_of(bug)):
        count = text.count(find)
        if count != 1:
            raise BugError(
                f"bug {bug.get('id')!r} edit {i}: the find text occurs {count} times in "
                f"{bug.get('base')}/{bug.get('file')} (it must occur exactly once):\n{find}")
        text = text.replace(find, replace, 1)
    return text


def materialise(bug: dict, styles_dir: str | Path = STYLES_DIR, out_dir: str | Path = None) -> Path:
    """Write the bug's submission into out_dir: the base style's eight files with the bug's
    one file mutated. Returns the path of the mutated file."""
    if out_dir is None:
        raise TypeError("materialise() needs an out_dir")
    _validate(bug, repr(bug.get("id")) if isinstance(bug, dict) else "bug",
              "change" if isinstance(bug, dict) and "change" in bug else "mistake")
    base = Path(styles_dir) / bug["base"]
    if not base.is_dir():
        raise BugError(f"bug {bug['id']!r}: no style directory {base}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        src = base / name
        if not src.is_file():
            raise BugError(f"bug {bug['id']!r}: style {bug['base']!r} has no {name}")
        shutil.copyfile(src, out / name)
    target = out / bug["file"]
    target.write_text(mutate((base / bug["file"]).read_text(encoding="utf-8"), bug), encoding="utf-8")
    return target
