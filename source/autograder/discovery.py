"""Finding the student's files in whatever folder tree they submitted.

GitHub uploads nest files (`hw3-main/src/batchnorm.py`), zips bring `__MACOSX` debris, students
rename things (`batchnorm (1).py`, `BatchNorm.py`). For every expected file this picks one regular
file, or none, and writes a note a student can act on. Symbolic links and hard-linked files are
never followed: a link could point at the reference solution, which the trusted side can read.
"""
import dataclasses
import difflib
import os
import stat

SKIP_DIRS = {"__MACOSX", "__pycache__", ".git", ".venv", "venv", "env", "site-packages", "node_modules",
             ".ipynb_checkpoints", ".idea", ".vscode"}
MAX_FILE_BYTES = 1 << 20
MAX_ENTRIES = 20000
MAX_HELPERS, MAX_HELPER_BYTES = 100, 4 << 20  # helper modules staged beside the graded files


@dataclasses.dataclass
class Discovery:
    found: dict      # expected file name -> path of the chosen file
    notes: dict      # expected file name -> sentence for the student ("" when all is well)
    helpers: dict    # other .py files beside the chosen ones (student helper modules) -> path
    general: list    # notes about the submission as a whole


def discover(root, expected):
    """Locate each expected file under root."""
    candidates, others, general = _scan(root)
    found, notes = {}, {}
    for name in expected:
        paths = candidates.get(name, [])
        if not paths:
            notes[name] = _missing_note(name, candidates, others, expected)
            continue
        chosen = _choose(paths, candidates, expected, root)
        found[name] = chosen
        where = os.path.relpath(chosen, root)
        if len(paths) > 1:
            listed = ", ".join(os.path.relpath(p, root) for p in sorted(paths))
            notes[name] = f"Found {len(paths)} files named {name} ({listed}); graded {where}."
        elif where != name:
            notes[name] = f"Graded {where}."
        else:
            notes[name] = ""
    helpers = _helpers(candidates, expected, {os.path.dirname(p) for p in found.values()}, general)
    if not found:
        general.append("None of the expected files (" + ", ".join(expected) + ") was found in your submission.")
    return Discovery(found, notes, helpers, general)


def _helpers(candidates, expected, chosen_dirs, general):
    """Other .py files beside the graded ones (a student's own modules), up to MAX_HELPERS files
    and MAX_HELPER_BYTES in all: they are copied for every grading run, before any limit on
    student code applies."""
    helpers, total, skipped = {}, 0, 0
    for name in sorted(candidates):
        path = next((p for p in candidates[name] if os.path.dirname(p) in chosen_dirs), None)
        if name in expected or path is None:
            continue
        size = os.lstat(path).st_size
        if len(helpers) >= MAX_HELPERS or total + size > MAX_HELPER_BYTES:
            skipped += 1
            continue
        helpers[name] = path
        total += size
    if skipped:
        general.append(f"{skipped} other .py file(s) beside your graded files were not used: at most "
                       f"{MAX_HELPERS} helper modules of {MAX_HELPER_BYTES >> 20} MB in all are.")
    return helpers


def _scan(root):
    """{file name: [paths]} of safe .py files, the names of every other file, and notes."""
    candidates, others, general = {}, [], []
    seen = 0
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            seen += 1
            if seen > MAX_ENTRIES:
                general.append(f"Your submission has more than {MAX_ENTRIES} files; the rest were not looked at.")
                return candidates, others, general
            path = os.path.join(folder, name)
            if not name.endswith(".py"):
                others.append(name)
                continue
            problem = _unsafe(path)
            if problem:
                general.append(f"{os.path.relpath(path, root)} was ignored: {problem}.")
                continue
            candidates.setdefault(name, []).append(path)
    return candidates, others, general


def _unsafe(path):
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link (submit the file itself)"
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file"
    if info.st_nlink != 1:
        return "it is a hard link"
    if info.st_size > MAX_FILE_BYTES:
        return f"it is larger than {MAX_FILE_BYTES >> 20} MB"
    return ""


def _choose(paths, candidates, expected, root):
    """Prefer the copy that sits with most of the other expected files, then the shallowest."""
    def company(path):
        folder = os.path.dirname(path)
        return sum(any(os.path.dirname(p) == folder for p in candidates.get(e, [])) for e in expected)
    return sorted(paths, key=lambda p: (-company(p), p.count(os.sep), p))[0]


def _missing_note(name, candidates, others, expected=()):
    """Why `name` is missing, pointing at what the student probably meant to submit."""
    stem = name[:-3].lower()
    names = [n for n in list(candidates) + others if n not in expected]
    exact_case = [n for n in names if n.lower() == name.lower()]
    if exact_case:
        return f"{name} was not found; found {exact_case[0]} instead: file names are case-sensitive."
    hints = [n for n in names if n.lower().startswith(stem)]  # batchnorm (1).py, GNN.ipynb, gnn.py.txt
    hints += difflib.get_close_matches(name, [n for n in names if n.endswith(".py") and n not in hints],
                                       n=2, cutoff=0.8)  # batch_norm.py
    if hints:
        listed = ", ".join(hints[:3])
        return f"{name} was not found; found {listed} instead. Rename it to {name} (a .py file) and resubmit."
    return f"{name} was not found in your submission."
