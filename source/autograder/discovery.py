"""Finding the student's files in whatever folder tree they submitted.

GitHub uploads nest files (`hw3-main/src/batchnorm.py`), zips bring `__MACOSX` debris, students
rename things (`batchnorm (1).py`, `BatchNorm.py`). For every expected file this picks one regular
file, or none, and writes a note a student can act on. Symbolic links and hard-linked files are
never followed: a link could point at the reference solution, which the trusted side can read.

Any tree is walked without recursion, at most MAX_DEPTH folders deep and MAX_ENTRIES entries in
all, and the notes say what was skipped. Names in notes have their control characters (newlines
included) written out and are cut short; where a note is shown, escaping.py escapes the rest.
"""
import dataclasses
import difflib
import os
import stat

from autograder.escaping import show_controls
from autograder.sandbox.limits import LISTED, STUDENT_CHARS

SKIP_DIRS = {"__MACOSX", "__pycache__", ".git", ".venv", "venv", "env", "site-packages", "node_modules",
             ".ipynb_checkpoints", ".idea", ".vscode"}
MAX_FILE_BYTES = 1 << 20
MAX_ENTRIES = 20000   # files and folders looked at in one submission
MAX_DEPTH = 32        # folder levels below the submission's own folder
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
        where = _shown(os.path.relpath(chosen, root))
        if len(paths) > 1:
            listed = ", ".join(_shown(os.path.relpath(p, root)) for p in sorted(paths)[:LISTED])
            listed += f" and {len(paths) - LISTED} more" if len(paths) > LISTED else ""
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
    """{file name: [paths]} of safe .py files, the names of every other file, and notes.

    Depth first, in name order, with a stack of its own: a tree of any depth costs no recursion.
    """
    candidates, others, general = {}, [], []
    ignored, too_deep, seen = [], [], 0
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        entries = _entries(folder, MAX_ENTRIES - seen + 1)
        subfolders = []
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES:
                general.append(f"Your submission has more than {MAX_ENTRIES} files and folders; the rest were not "
                               "looked at.")
                stack = []
                break
            path = os.path.join(folder, entry.name)
            if _is_folder(entry):
                if entry.name in SKIP_DIRS or entry.name.startswith("."):
                    continue
                if depth >= MAX_DEPTH:
                    too_deep.append(path)
                else:
                    subfolders.append(path)
                continue
            if not entry.name.endswith(".py"):
                others.append(entry.name)
                continue
            problem = _unsafe(path)
            if problem:
                ignored.append(f"{_shown(os.path.relpath(path, root))} was ignored: {problem}.")
                continue
            candidates.setdefault(entry.name, []).append(path)
        stack.extend((path, depth + 1) for path in reversed(subfolders))
    general += ignored[:LISTED]
    if len(ignored) > LISTED:
        general.append(f"{len(ignored) - LISTED} more files were ignored for the same kinds of reasons.")
    if too_deep:
        general.append(f"Folders nested more than {MAX_DEPTH} levels deep were not looked at "
                       f"({len(too_deep)}, e.g. {_shown(os.path.relpath(too_deep[0], root))}).")
    return candidates, others, general


def _entries(folder, most):
    """Up to `most` entries of a folder, by name; none if it cannot be read."""
    try:
        with os.scandir(folder) as listing:
            entries = [entry for _, entry in zip(range(most), listing)]
    except OSError:
        return []
    return sorted(entries, key=lambda entry: entry.name)


def _is_folder(entry):
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _shown(path):
    """A path of the student's for a note: one line, controls written out, at most STUDENT_CHARS."""
    text = show_controls(path, keep="")
    return text if len(text) <= STUDENT_CHARS else "…" + text[-STUDENT_CHARS:]


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
        return f"{name} was not found; found {_shown(exact_case[0])} instead: file names are case-sensitive."
    hints = [n for n in names if n.lower().startswith(stem)]  # batchnorm (1).py, GNN.ipynb, gnn.py.txt
    hints += difflib.get_close_matches(name, [n for n in names if n.endswith(".py") and n not in hints],
                                       n=2, cutoff=0.8)  # batch_norm.py
    if hints:
        listed = ", ".join(_shown(hint) for hint in hints[:3])
        return f"{name} was not found; found {listed} instead. Rename it to {name} (a .py file) and resubmit."
    return f"{name} was not found in your submission."
