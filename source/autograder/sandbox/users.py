"""Sandbox users: the unprivileged accounts student code runs as when the grader is root.

A grading run (or a batch slot) holds one user for its whole life under an flock in a
machine-wide folder, so any number of checkouts, batches and self-test runs on one machine never
share a user, and a grader only ever kills processes of a user it holds.
"""
import dataclasses
import fcntl
import os
import pwd
import subprocess
import time


SANDBOX_USERS = tuple(f"ag-sandbox-{i}" for i in range(1, 9))
LOCK_DIR = "/run/autograder-sandbox-locks"  # machine-wide: the users are machine-wide too


@dataclasses.dataclass
class SandboxUser:
    name: str
    uid: int
    gid: int
    lock: int  # descriptor holding the user's lock for as long as this run uses it


def acquire_user(lock_dir=LOCK_DIR):
    """A sandbox user of our own for this run (None unless root), waiting while all are busy."""
    if os.geteuid() != 0:
        return None
    os.makedirs(lock_dir, mode=0o700, exist_ok=True)
    info = os.lstat(lock_dir)
    if info.st_uid != 0 or info.st_mode & 0o077 or not os.path.isdir(lock_dir) or os.path.islink(lock_dir):
        raise RuntimeError(f"{lock_dir} must be a folder owned by root with mode 0700")
    while True:
        for name in SANDBOX_USERS:
            fd = os.open(os.path.join(lock_dir, name), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            uid, gid = ensure_user(name)
            return SandboxUser(name, uid, gid, fd)  # the Sandbox sweeps what an earlier run left
        time.sleep(0.2)


def ensure_user(name):
    """(uid, gid) of a system user, created (with its own group) if missing."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", "--user-group", name], capture_output=True)
        entry = pwd.getpwnam(name)
    if entry.pw_uid == 0 or entry.pw_gid == 0:
        raise RuntimeError(f"{name} must not be root")
    return entry.pw_uid, entry.pw_gid


