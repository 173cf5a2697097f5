"""Layer: Landlock, the kernel's unprivileged file-system allow-list (Linux 5.13+, where enabled).

After `restrict`, the worker can read only the folders it is given (the interpreter's standard
library, the packages graded code may import, the staged submission), read and write only its
scratch folder (where it may create files but not delete them), and nothing else on the machine: not the grader's checkout, not /tmp, not a
folder that appears later, whoever owns it. Nothing can be executed. Where the kernel's Landlock
is new enough it also refuses TCP (ABI 4), and keeps abstract Unix sockets and signals inside the
worker (ABI 6), which matters most where the worker runs as the grader's own user.

Uses the three system calls directly through ctypes (their numbers are the same on every
architecture); rights the running kernel does not know are left out, best effort, and `restrict`
reports which ABI it used.
"""
import ctypes
import errno
import os
import struct

CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

# LANDLOCK_ACCESS_FS_* and the ABI that introduced each.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1          # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6

READ = READ_FILE | READ_DIR
# No REMOVE_FILE: a file written, deleted and kept open would use disk that no folder shows, out of
# the disk quota's sight (and a numpy function has no files to delete).
WRITE = WRITE_FILE | REMOVE_DIR | MAKE_DIR | MAKE_REG | MAKE_SYM | MAKE_FIFO | REFER | TRUNCATE
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the rights a rule on a file may hold

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def abi():
    """The kernel's Landlock ABI version, or 0 where it has none (too old, or not enabled)."""
    version = _libc.syscall(ctypes.c_long(CREATE_RULESET), None, ctypes.c_size_t(0),
                            ctypes.c_uint32(CREATE_RULESET_VERSION))
    return max(int(version), 0)


def handled_fs(version):
    return FS_BY_ABI[max(v for v in FS_BY_ABI if v <= version)]


def restrict(read_only, read_write, version=None):
    """Allow reading `read_only` paths and reading and writing `read_write` paths, nothing else.

    Paths may be folders (the rule covers everything beneath) or single files. Paths that do not
    exist are skipped. Needs no_new_privs (or CAP_SYS_ADMIN). Returns a dict describing what
    was enforced; raises OSError if the kernel has no usable Landlock.
    """
    version = version or abi()
    if version < 1:
        raise OSError(errno.ENOSYS, "this kernel has no Landlock (or it is not enabled)")
    fs = handled_fs(version)
    net = NET_BIND_TCP | NET_CONNECT_TCP if version >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0
    attr = struct.pack("<Q", fs) + (struct.pack("<Q", net) if version >= 4 else b"") \
        + (struct.pack("<Q", scoped) if version >= 6 else b"")
    ruleset = _check(_libc.syscall(ctypes.c_long(CREATE_RULESET), attr, ctypes.c_size_t(len(attr)),
                                   ctypes.c_uint32(0)), "landlock_create_ruleset")
    try:
        for paths, rights in ((read_only, READ), (read_write, READ | WRITE)):
            for path in paths:
                _allow(ruleset, path, rights & fs)
        _check(_libc.prctl(38, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
        _check(_libc.syscall(ctypes.c_long(RESTRICT_SELF), ctypes.c_int(ruleset), ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return {"abi": version, "tcp": bool(net), "scoped": bool(scoped)}


def _allow(ruleset, path, rights):
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not os.path.isdir(path):
            rights &= FILE_RIGHTS
        rule = struct.pack("<Qi", rights, fd)
        _check(_libc.syscall(ctypes.c_long(ADD_RULE), ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH),
                             rule, ctypes.c_uint32(0)), f"landlock_add_rule({path})")
    finally:
        os.close(fd)


def _check(result, what):
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")
    return result
