"""Finding a class's submissions in what course staff point `./grader batch` at.

Accepted, with a sentence for anything else:
  - Gradescope's "Export Submissions" zip, or its folder unzipped, or any folder above it: the
    export is the folder holding `submission_metadata.yml`, one `submission_<id>` folder per
    submission, and `:submitters` (`:name`, `:sid`, `:email`) for each, several for a group;
  - a folder with one folder per student, named for the student.
A folder that holds .py files itself (one submission, not a class) or nothing but one folder is
refused with what to type instead, so a class is never graded as one student.
"""
import dataclasses
import os
import shutil
import zipfile

import yaml

METADATA = "submission_metadata.yml"
SEARCH_DEPTH = 3              # folders above an export that are still searched
MAX_MEMBER_BYTES = 64 << 20   # larger files in an export zip are not extracted


class ClassError(Exception):
    """What was given is not a class of submissions; the message says what to give instead."""


@dataclasses.dataclass
class Student:
    name: str
    sid: str = ""
    email: str = ""


@dataclasses.dataclass
class Submission:
    id: str
    folder: str
    students: list  # [Student]; one per group member


@dataclasses.dataclass
class Class:
    root: str          # the folder the submissions are in
    submissions: list  # [Submission], sorted by id
    notes: list        # what staff should know about how it was read


def find_class(path, unpack_to):
    """The class at `path` (a folder or an export zip, which is extracted into `unpack_to`)."""
    if not os.path.exists(path):
        raise ClassError(f"{path} does not exist: give Gradescope's export (the .zip or its folder) or a folder "
                         "with one folder per student")
    notes = []
    if os.path.isfile(path):
        if not zipfile.is_zipfile(path):
            raise ClassError(f"{path} is a file but not a zip file: give Gradescope's export (the .zip or its "
                             "folder) or a folder with one folder per student")
        notes.append(f"unzipped {path} into {unpack_to}")
        path = unzip(path, unpack_to)
    if not os.access(path, os.R_OK | os.X_OK):
        raise ClassError(f"{path} cannot be read (permission denied)")
    exports = find_exports(path)
    if len(exports) > 1:
        listed = "\n  ".join(exports)
        raise ClassError(f"{path} holds several Gradescope exports; give one of them:\n  {listed}")
    if exports:
        if exports[0] != os.path.normpath(path):
            notes.append(f"Gradescope's export found in {exports[0]}")
        return Class(exports[0], read_export(exports[0]), notes)
    return Class(path, read_folders(path), notes)


def unzip(archive, target):
    """Extract an export zip afresh (so a file changed by an earlier run is not reused), skipping
    entries that would land outside `target`, links, and files too large to be submissions."""
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    root = os.path.realpath(target)
    try:
        with zipfile.ZipFile(archive) as handle:
            for member in handle.infolist():
                destination = os.path.realpath(os.path.join(target, member.filename))
                is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
                if not destination.startswith(root + os.sep) or is_link or member.file_size > MAX_MEMBER_BYTES:
                    continue
                if member.is_dir():
                    os.makedirs(destination, exist_ok=True)
                    continue
                os.makedirs(os.path.dirname(destination), exist_ok=True)
                with handle.open(member) as source, open(destination, "wb") as copy:
                    shutil.copyfileobj(source, copy)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ClassError(f"{archive} cannot be unzipped: {exc}") from None
    return target


def find_exports(path):
    """Gradescope exports at path or at most SEARCH_DEPTH below it. Below path, a folder counts only
    if its metadata names a folder beside it, so a stray copy inside a student's upload does not."""
    top = os.path.normpath(path)
    if os.path.isfile(os.path.join(top, METADATA)):
        return [top]
    found, level = [], [top]
    for _ in range(SEARCH_DEPTH):
        level = [os.path.join(folder, name) for folder in level for name in _subfolders(folder)]
        found = [folder for folder in level if _is_export(folder)]
        if found:
            break
    return sorted(found)


def _is_export(folder):
    if not os.path.isfile(os.path.join(folder, METADATA)):
        return False
    try:
        return bool(set(_metadata(folder)) & set(_subfolders(folder)))
    except ClassError:
        return False


def read_export(root):
    """Submissions of a Gradescope export, with who submitted each (as the metadata gives them)."""
    entries = _metadata(root)
    folders = set(_subfolders(root))
    submissions = []
    for key, info in entries.items():
        if key not in folders:
            continue  # a submission without files (or a key that is no folder name)
        info = info if isinstance(info, dict) else {}
        submitters = info.get(":submitters") or info.get("submitters") or []
        students = [Student(_text(s, "name") or key, _text(s, "sid"), _text(s, "email"))
                    for s in submitters if isinstance(s, dict)]
        submissions.append(Submission(key, os.path.join(root, key), students or [Student(key)]))
    listed = {s.id for s in submissions}
    submissions += [Submission(name, os.path.join(root, name), [Student(name)]) for name in folders - listed]
    return sorted(submissions, key=lambda s: s.id)


def _metadata(root):
    """submission_metadata.yml as a mapping of submission folder names to what Gradescope knows."""
    path = os.path.join(root, METADATA)
    try:
        with open(path, encoding="utf-8") as stream:
            # BaseLoader: every value stays text as written (an SID like 012345 keeps its zero) and
            # Ruby's tags in Gradescope's file (!ruby/object:...) are read as plain values.
            entries = yaml.load(stream, Loader=yaml.BaseLoader) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ClassError(f"{path} cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ClassError(f"{path}{f', line {mark.line + 1}' if mark else ''} is not valid YAML: "
                         f"{getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(entries, dict):
        raise ClassError(f"{path} is not Gradescope's submission metadata (a mapping of submission folders)")
    return entries


def read_folders(root):
    """One submission per folder, named for the student; refused when it looks like something else."""
    entries = os.listdir(root)
    loose = sorted(name for name in entries if name.endswith(".py") and os.path.isfile(os.path.join(root, name)))
    if loose:
        raise ClassError(f"{root} holds .py files itself ({', '.join(loose[:3])}), so it looks like one submission, "
                         f"not a class: grade it with ./run_autograder --submission {root}, or give the folder "
                         "that holds one folder per student")
    folders = _subfolders(root)
    if not folders:
        raise ClassError(f"{root} holds no submissions: give Gradescope's export (the .zip or its folder) or a "
                         "folder with one folder per student")
    if len(folders) == 1 and len(entries) == 1:
        only = os.path.join(root, folders[0])
        raise ClassError(f"{root} holds nothing but the folder {folders[0]}. If that is the class (one folder per "
                         f"student), give it: ./grader batch {only} ...; to grade one submission, use "
                         f"./run_autograder --submission {only}")
    return [Submission(name, os.path.join(root, name), [Student(name)]) for name in folders]


def _subfolders(folder):
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(name for name in names if not name.startswith((".", "__MACOSX"))
                  and os.path.isdir(os.path.join(folder, name)) and not os.path.islink(os.path.join(folder, name)))


def _text(submitter, key):
    value = submitter.get(f":{key}", submitter.get(key))
    return value.strip() if isinstance(value, str) else ""
