"""Removing what a sandbox user leaves behind: its processes and its files in shared folders.

Run by the trusted side when a worker retires and when a run ends, so that nothing of one
student's run is there when the same sandbox user grades the next submission of a batch.
"""
import os
import shutil
import signal
import time


def remove_user_files(uid, places=("/tmp", "/var/tmp", "/dev/shm")):
    """Delete what uid left in the world-writable folders, so that nothing of one student's run is
    there when the same sandbox user grades the next submission of a batch."""
    for place in places:
        try:
            entries = list(os.scandir(place))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def user_processes(uid):
    """Pids of the live (not zombie) processes whose real uid is uid."""
    return [pid for pid in _pids() if _real_uid(pid) == uid]


def kill_user_processes(uid, rounds=50):
    """SIGKILL every process whose real uid is uid, repeating while new ones appear (fork loops)."""
    for _ in range(rounds):
        victims = user_processes(uid)
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not victims:
            return True
        time.sleep(0.01)
    return False


def _pids():
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _real_uid(pid):
    """The real uid of a live (not zombie) process, from /proc/PID/status: a process that dropped
    root is non-dumpable, so its /proc folder is owned by root whatever its uid."""
    try:
        with open(f"/proc/{pid}/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    if fields.get("State", "").split()[:1] == ["Z"]:
        return None
    return int(fields["Uid"].split()[0])


