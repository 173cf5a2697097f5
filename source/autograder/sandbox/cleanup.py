"""Removing what a sandbox user leaves behind: processes, files in shared folders, IPC objects.

Run by the trusted side (as root) when a worker retires and when a run ends, so that nothing of
one student's run is there when the same sandbox user grades the next submission of a batch:
no process, no file in any folder the user can write, no System V shared memory, semaphore or
message queue, no POSIX message queue. Seccomp already refuses to create the IPC objects and
Landlock to write outside the scratch folder; this is the layer under them, for kernels without.
"""
import ctypes
import json
import os
import shutil
import signal
import stat
import tempfile
import time

from autograder.sandbox.runtime import RUNTIME_ROOT

# Folders any user can write on a usual Linux system; setup.sh adds what it finds on this one.
SHARED_PLACES = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue", "/run/lock", "/var/lock", "/var/crash")
FOUND_PLACES = os.path.join(RUNTIME_ROOT, "writable-places.json")
IPC_RMID = 0


def writable_places():
    """The folders a sandbox user can write besides its scratch folder: the usual ones, and the
    world-writable folders setup.sh found on this machine."""
    found = []
    try:
        with open(FOUND_PLACES, encoding="utf-8") as stream:
            found = [p for p in json.load(stream) if isinstance(p, str)]
    except (OSError, ValueError):
        pass
    return list(dict.fromkeys(p for p in (*SHARED_PLACES, *found) if os.path.isdir(p)))


def record_writable_places():
    """Find the world-writable folders of this machine and record them for writable_places()
    (setup.sh, and every batch, as folders can appear after setup)."""
    temporary = FOUND_PLACES + f".{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(find_world_writable(), stream, indent=1)
    os.chmod(temporary, 0o644)
    os.replace(temporary, FOUND_PLACES)


def find_world_writable(top="/", skip=("/proc", "/sys", "/dev")):
    """Every folder under top that any user may write (mode o+w), without following links.

    `skip`'s folders are not entered (their own writable places are listed in SHARED_PLACES).
    """
    found, pending = [], [top]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if not entry.is_dir(follow_symlinks=False) or entry.path in skip:
                    continue
                if entry.stat(follow_symlinks=False).st_mode & stat.S_IWOTH:
                    found.append(entry.path)
                pending.append(entry.path)
            except OSError:
                continue
    return sorted(found)


def remove_user_files(uid, places=None):
    """Delete everything uid owns at the top of each shared place (with what is inside)."""
    for place in writable_places() if places is None else places:
        for entry in owned_entries(place, uid):
            try:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def owned_entries(place, uid):
    try:
        entries = list(os.scandir(place))
    except OSError:
        return []
    owned = []
    for entry in entries:
        try:
            if entry.stat(follow_symlinks=False).st_uid == uid:
                owned.append(entry)
        except OSError:
            pass
    return owned


def remove_user_ipc(uid):
    """Remove the System V shared memory segments, semaphore sets and message queues uid owns or
    created. Returns how many were removed."""
    libc = ctypes.CDLL(None, use_errno=True)
    removers = {"shm": lambda i: libc.shmctl(i, IPC_RMID, None),
                "msg": lambda i: libc.msgctl(i, IPC_RMID, None),
                "sem": lambda i: libc.semctl(i, 0, IPC_RMID)}
    removed = 0
    for kind, remove in removers.items():
        for ident, owners in _ipc_objects(kind):
            if uid in owners and remove(ident) == 0:
                removed += 1
    return removed


def _ipc_objects(kind):
    """[(id, {uid, cuid})] from /proc/sysvipc/<kind>."""
    try:
        with open(f"/proc/sysvipc/{kind}") as table:
            header, *rows = [line.split() for line in table if line.strip()]
    except (OSError, ValueError):
        return []
    column = {name: i for i, name in enumerate(header)}
    ident = column.get({"shm": "shmid", "msg": "msqid", "sem": "semid"}[kind])
    objects = []
    for row in rows:
        try:
            objects.append((int(row[ident]), {int(row[column["uid"]]), int(row[column["cuid"]])}))
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return objects


def user_processes(uid):
    """Pids of the live (not zombie) processes whose real uid is uid."""
    return [pid for pid in _pids() if _real_uid(pid) == uid]


def kill_descendants(pid):
    """SIGKILL every process below pid in the process tree; True once none is left."""
    for _ in range(50):
        below = descendants(pid)[1:]
        for child in below:
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not [child for child in below if _living(_status(child))]:
            return True
        time.sleep(0.001)
    return False


def remove_stale_runs(gid, folder=None):
    """Remove run folders (ag-run-*) whose staged submission belongs to this sandbox group: left by a
    grader that was killed, and only ever in use by whoever holds that sandbox user's lock."""
    folder = folder or tempfile.gettempdir()
    for entry in os.scandir(folder):
        if entry.name.startswith("ag-run-") and entry.is_dir(follow_symlinks=False):
            try:
                if os.stat(os.path.join(entry.path, "submission"), follow_symlinks=False).st_gid == gid:
                    shutil.rmtree(entry.path, ignore_errors=True)
            except OSError:
                continue


def descendants(pid):
    """pid and every live process below it in the process tree (from /proc/PID/task/*/children)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(child) for child in children.read().split()]
            except (OSError, ValueError):
                continue
    return found


def kill_user_processes(uid, rounds=50, verify=True):
    """SIGKILL every process of uid; True once none is left (without `verify`, once signalled).

    A helper process becomes uid and sends kill(-1, SIGKILL): the kernel signals every process
    of that user in one pass that no fork can outrun (a scan of /proc can be). With `verify`,
    every process a /proc scan still finds is killed too, while any remains.
    """
    _kill_all_as(uid)
    if not verify:
        return True
    for _ in range(rounds):
        victims = user_processes(uid)
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not victims:
            return True
        time.sleep(0.001)
    return False


def _kill_all_as(uid):
    """Fork a helper that takes uid and calls kill(-1, SIGKILL): every process of uid is signalled
    in one pass under the kernel's task-list lock, so none can fork its way out, and a process
    with SIGKILL pending cannot fork. A second call covers a fork the first found half-done."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresuid(uid, uid, uid)
            for _ in range(2):
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def remove_leftovers(uid):
    """The files and IPC objects uid left behind (its processes are the fork server's to sweep)."""
    remove_user_files(uid)
    remove_user_ipc(uid)


def remove_everything(uid):
    """Processes, files and IPC objects of uid: for a sandbox user used outside any fork server."""
    kill_user_processes(uid)
    remove_leftovers(uid)


def _pids():
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _real_uid(pid):
    """The real uid of a live process (None when it is gone), from /proc/PID/status: a process
    that dropped root is non-dumpable, so its /proc folder is owned by root whatever its uid."""
    fields = _status(pid)
    return int(fields["Uid"].split()[0]) if _living(fields) else None


def _status(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            return dict(line.split(":", 1) for line in status if ":" in line)
    except OSError:
        return None


def _living(fields):
    """Not gone and not a zombie. A thread-group leader whose own thread has exited shows "Z"
    while its other threads run: that process is alive."""
    if fields is None:
        return False
    return fields.get("State", "").split()[:1] != ["Z"] or fields.get("Threads", "1").strip() not in ("", "0", "1")
