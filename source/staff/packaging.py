"""`./grader package` and `./grader kit`: the two archives course staff hand out.

autograder.zip is exactly what Gradescope needs (setup.sh and run_autograder at the root, the
engine, the reference, the graded tests, the rubric, the requirements) and nothing else; it is
not built while the rubric check fails. The student kit holds the starter files, the students'
section of the README, and a checker that runs the *visible* tests with the grader's own feedback:
never the reference, a hidden test or a hidden expected value.

Archives are deterministic (sorted entries, fixed timestamps), so rebuilding from the same tree
gives the same bytes.
"""
import json
import os
import re
import sys
import zipfile

from staff.paths import REPO
from staff.rubric_check import rubric_problems

FIXED_TIME = (2020, 1, 1, 0, 0, 0)
SKIP = re.compile(r"(^|/)(__pycache__|\.pytest_cache|\.sandbox-locks)(/|$)|\.py[co]$")
GRADESCOPE_FILES = ["setup.sh", "run_autograder", "requirements.txt", "rubric.yaml"]
GRADESCOPE_TREES = ["source/grade.py", "source/autograder", "source/reference", "tests"]
KIT_TREES = ["source/autograder", "source/kit"]  # the engine and the checker: never the reference
KIT_LIMITS = ("call_timeout", "import_timeout", "memory_mb", "max_result_mb", "output_chars")
KIT_README = re.compile(r"<!-- student-kit:start -->\n(.*?)<!-- student-kit:end -->", re.S)
CHECK_PY = '''"""Run the visible tests on your files:  python check.py  (or: python check.py batchnorm.py)"""
import os
import sys

if sys.version_info < (3, 10):
    sys.exit(f"check.py needs Python 3.10 or newer; this is Python {sys.version.split()[0]}.")
try:
    import numpy  # noqa: F401
    import pytest  # noqa: F401
except ImportError as missing:
    sys.exit(f"check.py needs numpy and pytest ({missing}): run  python -m pip install numpy pytest")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "checker"))

from kit.checker import main  # noqa: E402

sys.exit(main())
'''


class PackagingError(Exception):
    """The archive cannot be built; the message says what to fix."""


def tree_files(root, relative):
    """Files under root/relative (a file or a folder), as repository-relative paths, caches skipped."""
    top = os.path.join(root, relative)
    if os.path.isfile(top):
        return [relative]
    found = []
    for folder, dirs, files in os.walk(top):
        dirs.sort()
        for name in sorted(files):
            path = os.path.relpath(os.path.join(folder, name), root)
            if not SKIP.search(path):
                found.append(path)
    return found


def write_zip(target, entries):
    """entries: [(name in the archive, bytes, executable?)], written in order with fixed timestamps."""
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    with zipfile.ZipFile(target + ".tmp", "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, executable in entries:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    os.replace(target + ".tmp", target)


def _read(root, path):
    with open(os.path.join(root, path), "rb") as stream:
        return stream.read()


def build_autograder(target, root=REPO):
    """Build autograder.zip; returns the archived paths. Refuses while the rubric check fails."""
    _, _, problems = rubric_problems(os.path.join(root, "rubric.yaml"), os.path.join(root, "tests"))
    if problems:
        raise PackagingError("the rubric check fails, so no autograder.zip was built:\n  - " + "\n  - ".join(problems))
    paths = [p for item in GRADESCOPE_FILES + GRADESCOPE_TREES for p in tree_files(root, item)]
    write_zip(target, [(p, _read(root, p), p in ("setup.sh", "run_autograder")) for p in paths])
    return paths


def build_kit(target, root=REPO):
    """Build the student kit; returns the archived paths."""
    rubric, tests, problems = rubric_problems(os.path.join(root, "rubric.yaml"), os.path.join(root, "tests"))
    if problems:
        raise PackagingError("the rubric check fails, so no kit was built:\n  - " + "\n  - ".join(problems))
    shipped, hidden_points = {}, {file: 0.0 for file in rubric.files}
    for test_id, (file, decorators) in tests.items():
        settings = rubric.settings(test_id, decorators)
        if not test_id.split("::")[0].endswith("_examples.py"):
            hidden_points[file] += settings.points
            continue
        if settings.visibility != "visible":
            raise PackagingError(f"{test_id} is in an examples file (shipped to students) but is not visible "
                                 "in rubric.yaml: make it visible or move it to the hidden test file")
        shipped[test_id] = {"points": settings.points, "name": settings.name, "timeout": settings.timeout,
                            "hide_errors": settings.hide_errors}
    # Resolved settings as JSON: the kit needs neither PyYAML nor the validation library.
    limits = {k: getattr(rubric.limits, k) for k in KIT_LIMITS}
    kit_rubric = {"files": rubric.files, "limits": limits, "tests": shipped, "hidden_points": hidden_points}
    folder = "student-kit/"
    entries = [(folder + "README.md", kit_readme(root).encode(), False),
               (folder + "check.py", CHECK_PY.encode(), False),
               (folder + "checker/rubric.json", json.dumps(kit_rubric, indent=1).encode(), False)]
    entries += [(folder + os.path.basename(p), _read(root, p), False) for p in tree_files(root, "starter")]
    entries += [(folder + "checker/" + p.removeprefix("source/"), _read(root, p), False)
                for tree in KIT_TREES for p in tree_files(root, tree)]
    modules = sorted({test_id.split("::")[0] for test_id in shipped})
    entries += [(folder + "checker/tests/" + m, _read(root, f"tests/{m}"), False) for m in modules]
    write_zip(target, entries)
    return [name for name, _, _ in entries]


def kit_readme(root):
    with open(os.path.join(root, "README.md"), encoding="utf-8") as stream:
        match = KIT_README.search(stream.read())
    if not match:
        raise PackagingError("README.md has no <!-- student-kit:start --> ... <!-- student-kit:end --> section")
    return match.group(1)


def cmd_package(args):
    return _build(build_autograder, args.out, "setup.sh, run_autograder, rubric.yaml, requirements.txt, source/, tests/")


def cmd_kit(args):
    return _build(build_kit, args.out, "the starter files, README.md, check.py and the visible tests")


def _build(build, target, contents):
    """Build an archive; when that fails, an older archive at the same place is removed, so that
    it cannot be uploaded by mistake as if it were the current one."""
    try:
        paths = build(target)
    except PackagingError as exc:
        print(exc, file=sys.stderr)
        if os.path.exists(target):
            os.unlink(target)
            print(f"The previous {target} was removed, so that it cannot be uploaded by mistake.", file=sys.stderr)
        return 1
    print(f"{target}: {len(paths)} files ({contents})")
    return 0


def add_commands(commands):
    package = commands.add_parser("package", help="build autograder.zip for Gradescope")
    package.add_argument("--out", default=os.path.join(REPO, "dist", "autograder.zip"), help="default: %(default)s")
    package.set_defaults(run=cmd_package)
    kit = commands.add_parser("kit", help="build the student kit (starter, instructions, visible tests)")
    kit.add_argument("--out", default=os.path.join(REPO, "dist", "student-kit.zip"), help="default: %(default)s")
    kit.set_defaults(run=cmd_kit)
