"""The disk quota of a grading run: what student code writes is counted, and a worker that
writes more than its share is killed.

Without CAP_SYS_ADMIN (Gradescope's Docker) there is no file-system quota or tmpfs to give a
worker, and RLIMIT_FSIZE bounds one file, not how many. So a watchdog thread on the trusted
side measures, every `interval` seconds while a worker lives, the bytes and entries in the
run's scratch folder and (as root, where Landlock does not already confine writes to scratch)
everything the sandbox user owns in the shared writable places, and kills the worker as soon as
either is over the limit. A worker can overshoot by what it writes within one interval; files
are capped at file_size_mb each, and the measurement stops counting at the limit, so its cost
is bounded whatever the student creates.

A file that is written, deleted and kept open uses disk that no folder shows, so every
OPEN_FILES_EVERY intervals the watchdog also counts the deleted files the worker's processes
(as root: every process of the sandbox user) hold open.

The quota cannot know how full the disk already is, or what parallel gradings write. So a worker
that has written anything is also stopped when the disk holding scratch has less than RESERVE
left: the student who fills a disk is the one stopped and named, and the grader keeps room for
everyone else's results.
"""
import os
import stat
import threading

RESERVE = 128 << 20  # bytes kept free on the scratch disk for the grader itself
WRITER = 1 << 20    # a worker that has written more than this is stopped when the reserve is reached
OPEN_FILES_EVERY = 4  # intervals between counts of deleted-but-open files (they need a /proc scan)

from autograder.sandbox.cleanup import owned_entries


def measure(folder, stop_bytes, stop_entries):
    """(bytes allocated, entries) under folder, counting no further than either limit."""
    used, entries, pending = 0, 0, [folder]
    while pending:
        try:
            scan = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in scan:
            entries += 1
            try:
                info = entry.stat(follow_symlinks=False)
                used += info.st_blocks * 512
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
            except OSError:
                continue
            if used > stop_bytes or entries > stop_entries:
                return used, entries
    return used, entries


class DiskWatch:
    """Watches one run's writes. `watch(kill)` while a worker lives, `unwatch()` when it retires;
    `exceeded` says what went over (None while within the quota)."""

    def __init__(self, scratch, max_bytes, max_entries, uid=None, shared=(), interval=0.05):
        self.scratch, self.uid, self.shared = scratch, uid, list(shared)
        self.max_bytes, self.max_entries, self.interval = max_bytes, max_entries, interval
        self.lock = threading.Lock()  # held while killing, and by the controller while it reaps
        self.exceeded = None
        self._kill = self._processes = None
        self._ticks = 0
        self._hidden = 0  # bytes in deleted files held open, as last counted
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="disk-quota", daemon=True)
        self._thread.start()

    def watch(self, kill, processes):
        """Watch a new worker: `kill()` stops it, `processes()` lists the pids whose open files count."""
        with self.lock:
            self._kill, self._processes, self._hidden = kill, processes, 0

    def unwatch(self):
        with self.lock:
            self._kill = self._processes = None

    def stop(self):
        self._stop.set()
        self._thread.join()

    def usage(self):
        """(bytes, entries) written so far, counted no further than the quota."""
        used, entries = measure(self.scratch, self.max_bytes, self.max_entries)
        if self.uid is not None:
            for place in self.shared:
                for entry in owned_entries(place, self.uid):
                    more, count = measure_entry(entry, self.max_bytes - used, self.max_entries - entries)
                    used, entries = used + more, entries + count
        return used, entries

    def check(self):
        """Measure once; kill the watched worker if it is over the quota."""
        with self.lock:
            if self._kill is None:
                return
            self._ticks += 1
            if self._ticks % OPEN_FILES_EVERY == 0:
                pids = self._processes()
                self._hidden = deleted_open_bytes(pids) if pids else 0
            used, entries = self.usage()
            used += self._hidden
            self.exceeded = over(used, entries, self.max_bytes, self.max_entries, self.free())
            if self.exceeded:
                self._kill()
                self._kill = None

    def free(self):
        try:
            disk = os.statvfs(self.scratch)
        except OSError:
            return RESERVE
        return disk.f_bavail * disk.f_frsize

    def _run(self):
        while not self._stop.wait(self.interval):
            self.check()


def over(used, entries, max_bytes, max_entries, free):
    """What a worker went over, in words for the student, or None."""
    if used > max_bytes:
        return f"more than {max_bytes >> 20} MB of files, the most graded code may write"
    if entries > max_entries:
        return f"more than {max_entries} files and folders, the most graded code may create"
    if used > WRITER and free < RESERVE:
        return f"{used >> 20} MB of files while the disk was nearly full ({free >> 20} MB left)"
    return None


def deleted_open_bytes(pids):
    """Bytes of the deleted regular files that these processes hold open (each file once)."""
    seen, used = set(), 0
    for pid in pids:
        try:
            descriptors = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in descriptors:
            path = f"/proc/{pid}/fd/{fd}"
            try:
                if not os.readlink(path).endswith(" (deleted)"):
                    continue
                info = os.stat(path)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                used += info.st_blocks * 512
    return used


def measure_entry(entry, stop_bytes, stop_entries):
    """(bytes, entries) of one directory entry and, for a folder, what is inside it."""
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return 0, 0
    if not entry.is_dir(follow_symlinks=False):
        return info.st_blocks * 512, 1
    used, entries = measure(entry.path, stop_bytes, stop_entries)
    return used + info.st_blocks * 512, entries + 1
