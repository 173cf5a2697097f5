"""Once per machine, as root (setup.sh runs it): what workers need, outside every checkout.

    python -I source/autograder/sandbox/prepare.py

Copies numpy to the machine-wide runtime folder (runtime.py), records the folders any user can
write (cleanup.py removes what a sandbox user leaves there; the disk quota counts it), checks
that a sandbox user can import numpy from the copy, and prints the runtime folder. Safe to run
again, and by several checkouts and graders at once: the check holds a sandbox user's lock like
any grading, so no grader kills it as a leftover.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from autograder.sandbox import cleanup, runtime, users  # noqa: E402


def check(folder):
    """None if a sandbox user can run this interpreter and import numpy from folder, else why not."""
    user = users.acquire_user()
    try:
        code = f"import sys; sys.path.append({folder!r}); import heapq, numpy"
        proc = subprocess.run(["runuser", "-u", user.name, "--", sys._base_executable, "-I", "-S", "-c", code],
                              capture_output=True, text=True)
    finally:
        cleanup.remove_everything(user.uid)
        os.close(user.lock)
    if proc.returncode != 0:
        return (f"the sandbox users cannot run {sys._base_executable} or import numpy from {folder}: "
                f"{proc.stderr.strip()[-300:]}; use a Python installed for every user (e.g. /usr/bin/python3)")
    return None


def main():
    folder = runtime.install()
    cleanup.record_writable_places()
    problem = check(folder)
    if problem:
        sys.exit(f"setup.sh: ERROR: {problem}")
    print(folder)


if __name__ == "__main__":
    main()
