"""Layer: a seccomp-BPF filter that takes away the system calls a numpy function never needs.

Why a small BPF program of our own rather than a binding: python3-seccomp exists only for a
distribution's own interpreter (not a virtual environment, pyenv or a laptop's Python);
pyseccomp has had no release since 2021; both need libseccomp.so.2. The filter below is about
130 instructions, needs nothing but ctypes, and is tested by making every denied call for real
(selftests/engine/test_confinement.py). It is built for x86_64, the architecture of
Gradescope and of the course's machines; elsewhere the layer reports itself off, and a rubric
that requires it refuses to grade.

What it denies (EPERM unless noted), after checking that the call comes through the native
x86_64 ABI (i386 and x32 calls kill the process: no side doors):
- sockets of any family but AF_UNIX, and connect/bind/listen/accept on any socket: no network,
  and no talking to another worker or a local service (the worker's channel is already open);
- execve/execveat: no other program runs (no shell, no curl, no setuid binary);
- ptrace, process_vm_readv/writev, pidfd_getfd/pidfd_open/pidfd_send_signal, kcmp,
  process_madvise: no reading or steering another process; kill/tkill/tgkill/rt_(tg)sigqueueinfo
  only towards the worker itself (pid 0, its own pid or its own group), so the grader cannot be
  signalled even where it runs as the same user;
- name_to_handle_at/open_by_handle_at (opening files around path checks), fanotify, personality;
- fcntl F_SETOWN/F_SETSIG/F_SETOWN_EX and the FIOSETOWN/SIOCSPGRP ioctls (which have the kernel
  send a signal of one's choice to any process), and TIOCSTI; prlimit64, sched_set*,
  migrate_pages and move_pages other than on the worker itself, setpriority other than on the
  caller, ioprio_set: no changing another process's limits or scheduling;
- fallocate with a mode (it allocates past RLIMIT_FSIZE in one call);
- memfd_create/memfd_secret, and open/openat with O_TMPFILE (openat2, whose flags a filter cannot
  see, answers ENOSYS): files no folder shows, outside the address-space limit and the disk quota;
- io_uring (its own way to make sockets and open files), bpf, perf_event_open, userfaultfd;
- the keyring (add_key, request_key, keyctl);
- namespaces and mounts: unshare, setns, clone with any CLONE_NEW* flag, mount, umount2,
  pivot_root and the new mount API; clone3 answers ENOSYS, so the C library falls back to clone,
  whose flags a filter can see;
- SysV shared memory, semaphores and message queues, and POSIX message queues: no state that
  outlives the worker, no memory outside its limits.
"""
import ctypes
import errno
import os
import platform
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000

# x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl).
SYSCALLS = {
    "open": 2, "openat": 257, "openat2": 437, "ioctl": 16, "fcntl": 72, "fallocate": 285,
    "prlimit64": 302, "sched_setparam": 142, "sched_setscheduler": 144, "sched_setaffinity": 203,
    "sched_setattr": 314, "migrate_pages": 256, "move_pages": 279, "setpriority": 141, "ioprio_set": 251,
    "socket": 41, "connect": 42, "accept": 43, "bind": 49, "listen": 50, "socketpair": 53,
    "clone": 56, "execve": 59, "kill": 62, "semget": 64, "semop": 65, "semctl": 66, "shmdt": 67,
    "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71, "ptrace": 101, "rt_sigqueueinfo": 129,
    "pivot_root": 155, "mount": 165, "umount2": 166, "tkill": 200, "semtimedop": 220,
    "shmget": 29, "shmat": 30, "shmctl": 31, "tgkill": 234, "mq_open": 240, "mq_unlink": 241,
    "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244, "mq_getsetattr": 245,
    "add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272, "accept4": 288,
    "rt_tgsigqueueinfo": 297, "perf_event_open": 298, "setns": 308, "process_vm_readv": 310,
    "process_vm_writev": 311, "bpf": 321, "execveat": 322, "userfaultfd": 323, "personality": 135,
    "fanotify_init": 300, "name_to_handle_at": 303, "open_by_handle_at": 304, "kcmp": 312, "memfd_create": 319,
    "process_madvise": 440, "memfd_secret": 447,
    "pidfd_send_signal": 424, "io_uring_setup": 425, "io_uring_enter": 426,
    "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
    "fsmount": 432, "fspick": 433, "pidfd_open": 434, "clone3": 435, "pidfd_getfd": 438,
    "mount_setattr": 442,
}

DENIED = (
    "connect", "accept", "accept4", "bind", "listen",
    "execve", "execveat",
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd", "pidfd_send_signal",
    "kcmp", "process_madvise", "name_to_handle_at", "open_by_handle_at", "fanotify_init", "personality",
    "memfd_create", "memfd_secret", "ioprio_set",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "perf_event_open", "userfaultfd",
    "add_key", "request_key", "keyctl",
    "unshare", "setns", "mount", "umount2", "pivot_root", "open_tree", "move_mount", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr",
    "shmget", "shmat", "shmctl", "shmdt", "semget", "semop", "semctl", "semtimedop",
    "msgget", "msgsnd", "msgrcv", "msgctl",
    "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr",
)
UNIX_ONLY = ("socket", "socketpair")          # first argument: the address family
AF_UNIX = 1
SIGNALS = ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")  # first argument: a pid
OWN_PROCESS = ("prlimit64", "sched_setparam", "sched_setscheduler", "sched_setaffinity", "sched_setattr",
               "migrate_pages", "move_pages")  # first argument: a pid, 0 meaning the caller
F_SETOWN, F_SETSIG, F_SETOWN_EX = 8, 10, 15  # fcntl: have the kernel signal a process of one's choice
FIOSETOWN, SIOCSPGRP, TIOCSTI = 0x8901, 0x8902, 0x5412  # the same through ioctl, and typing into a terminal
CLONE_NEW = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x80
O_TMPFILE = 0o20000000  # the bit that makes an open create a file with no name
ARG1, ARG2 = 24, 32

# BPF (linux/filter.h, linux/seccomp.h)
LD_W_ABS, JEQ_K, JGE_K, JSET_K, RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
RET_ALLOW = 0x7FFF0000
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
NR, ARCH, ARG0 = 0, 4, 16  # offsets in struct seccomp_data (little-endian: low 32 bits of args[0])
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


class _Filter(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def supported():
    return platform.machine() == "x86_64"


def program(own_pid):
    """The filter as a list of (code, jt, jf, k) BPF instructions, for a worker whose pid is own_pid.

    Written as labelled blocks and assembled below, so a reader can follow each branch.
    """
    deny = ("ret", RET_ERRNO | errno.EPERM)
    blocks = [
        ("start", [("ld", ARCH), ("jne", AUDIT_ARCH_X86_64, "kill"), ("ld", NR),
                   ("jge", X32_SYSCALL_BIT, "kill"),
                   ("jeq", SYSCALLS["clone3"], "nosys"), ("jeq", SYSCALLS["openat2"], "nosys"),
                   ("jeq", SYSCALLS["clone"], "clone"), ("jeq", SYSCALLS["open"], "open"),
                   ("jeq", SYSCALLS["openat"], "openat"), ("jeq", SYSCALLS["fcntl"], "fcntl"),
                   ("jeq", SYSCALLS["ioctl"], "ioctl"), ("jeq", SYSCALLS["fallocate"], "fallocate"),
                   ("jeq", SYSCALLS["setpriority"], "setpriority")]
                  + [("jeq", SYSCALLS[name], "unix_only") for name in UNIX_ONLY]
                  + [("jeq", SYSCALLS[name], "own_pid") for name in SIGNALS + OWN_PROCESS]
                  + [("jeq", SYSCALLS[name], "deny") for name in DENIED]
                  + [("ret", RET_ALLOW)]),
        ("clone", [("ld", ARG0), ("jset", CLONE_NEW, "deny"), ("ret", RET_ALLOW)]),
        ("open", [("ld", ARG1), ("jset", O_TMPFILE, "deny"), ("ret", RET_ALLOW)]),
        ("openat", [("ld", ARG2), ("jset", O_TMPFILE, "deny"), ("ret", RET_ALLOW)]),
        ("fcntl", [("ld", ARG1), ("jeq", F_SETOWN, "deny"), ("jeq", F_SETSIG, "deny"), ("jeq", F_SETOWN_EX, "deny"),
                   ("ret", RET_ALLOW)]),
        ("ioctl", [("ld", ARG1), ("jeq", FIOSETOWN, "deny"), ("jeq", SIOCSPGRP, "deny"), ("jeq", TIOCSTI, "deny"),
                   ("ret", RET_ALLOW)]),
        ("fallocate", [("ld", ARG1), ("jeq", 0, "allow"), deny]),  # other modes skip RLIMIT_FSIZE
        ("setpriority", [("ld", ARG0), ("jeq", 0, "setpriority_who"), deny]),  # PRIO_PROCESS only...
        ("setpriority_who", [("ld", ARG1), ("jeq", 0, "allow"), deny]),          # ...and only the caller
        ("unix_only", [("ld", ARG0), ("jeq", AF_UNIX, "allow"), deny]),
        ("own_pid", [("ld", ARG0), ("jeq", 0, "allow"), ("jeq", own_pid, "allow"),
                     ("jeq", (-own_pid) & 0xFFFFFFFF, "allow"), deny]),
        ("nosys", [("ret", RET_ERRNO | errno.ENOSYS)]),
        ("deny", [deny]),
        ("allow", [("ret", RET_ALLOW)]),
        ("kill", [("ret", RET_KILL_PROCESS)]),
    ]
    return _assemble(blocks)


def _assemble(blocks):
    """Lay the blocks out in order and turn each jump to a label into a relative offset."""
    start, position = {}, 0
    for label, body in blocks:
        start[label] = position
        position += len(body)
    code, position = [], 0
    for _, body in blocks:
        for op in body:
            kind, value = op[0], op[1]
            if kind == "ld":
                code.append((LD_W_ABS, 0, 0, value))
            elif kind == "ret":
                code.append((RET_K, 0, 0, value))
            else:
                offset = start[op[2]] - position - 1
                if not 0 <= offset < 256:
                    raise ValueError(f"jump to {op[2]} out of range")
                opcode = {"jeq": JEQ_K, "jne": JEQ_K, "jge": JGE_K, "jset": JSET_K}[kind]
                code.append((opcode, 0, offset, value) if kind == "jne" else (opcode, offset, 0, value))
            position += 1
    return code


def install(own_pid=None):
    """Set no_new_privs and load the filter into this process (and every child it forks)."""
    if not supported():
        raise OSError(errno.ENOTSUP, f"no seccomp filter for {platform.machine()}")
    code = program(own_pid if own_pid is not None else os.getpid())
    raw = b"".join(struct.pack("<HBBI", *instruction) for instruction in code)
    buffer = ctypes.create_string_buffer(raw, len(raw))
    fprog = _Filter(len(code), ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
    return len(code)
