"""The layers a freshly forked worker puts on itself before any student code runs.

`confine` applies them in this order, each needing what the one before it left:
    network-namespace  a network of its own, with nothing in it (needs CAP_SYS_ADMIN: root outside
                       Docker; Docker's default capabilities lack it, so on Gradescope it is off);
                       made once by the fork server, which every worker inherits it from
    sandbox-user       the sandbox user's uid and gid, no supplementary groups (root only)
    rlimits            address space, CPU time, file size, open files, processes
    no-new-privs       no program can ever give this process more privileges
    landlock           read-only: standard library, numpy, the staged submission; read-write: the
                       scratch folder; nothing else (kernels with Landlock enabled)
    seccomp            no network, no exec, no ptrace, no namespaces, no System V / POSIX IPC ...
                       (seccomp.py has the list)
and returns a report, {layer: {"on": bool, "detail": str}}, that the worker sends to the
trusted side before it imports the student's file, so no student code can ever rewrite it. The
trusted side checks what it can see for itself (controller.observe) on top of this report.
`required` layers (sandbox-user) fail the worker's start when they cannot be put on; the others
are reported off and the rubric's `sandbox: {require: [...]}` decides whether grading goes on.
"""
import ctypes
import errno
import os
import resource
import socket

from autograder.sandbox.confinement import landlock, seccomp

CLONE_NEWNET = 0x40000000
PR_GET_NO_NEW_PRIVS, PR_SET_NO_NEW_PRIVS = 39, 38
_libc = ctypes.CDLL(None, use_errno=True)


def keep_only(channel_fd):
    """Close every inherited descriptor but the channel; stdio points at /dev/null."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        if fd != null:
            os.dup2(null, fd)
    os.closerange(3, channel_fd)
    os.closerange(channel_fd + 1, 65536)


def confine(request, network):
    """Put every layer on this process; the report of what is on. Raises if the user switch fails.

    The network namespace is the fork server's (forkserver.shared_network): `network` reports it."""
    report = {}
    as_root = request["uid"] is not None
    report["network-namespace"] = network
    report["sandbox-user"] = switch_user(request) if as_root else off(
        f"the grader runs as an ordinary user (uid {os.getuid()}); student code runs as that user")
    report["rlimits"] = resource_limits(request["limits"])
    report["no-new-privs"] = no_new_privs()
    report["landlock"] = filesystem(request)
    report["seccomp"] = system_calls()
    return verify(report)


def on(detail):
    return {"on": True, "detail": detail}


def off(detail):
    return {"on": False, "detail": detail}


def network_namespace():
    """Move this process into a new, empty network namespace; the layer's report."""
    if _libc.unshare(CLONE_NEWNET) == 0:
        return on("a network namespace of the sandbox's own, with no interfaces up")
    return off(f"the kernel refused a network namespace ({os.strerror(ctypes.get_errno())}); "
               "seccomp still refuses network sockets")


def switch_user(request):
    uid, gid = request["uid"], request["gid"]
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getegid() != gid or os.getgroups():
        raise SystemExit("could not drop privileges")
    return on(f"{request['user']} (uid {uid}), no supplementary groups")


def resource_limits(limits):
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))
    shown = {"RLIMIT_AS": "address space {} MB", "RLIMIT_CPU": "CPU {} s", "RLIMIT_FSIZE": "files up to {} MB",
             "RLIMIT_NOFILE": "{} open files", "RLIMIT_NPROC": "{} processes"}
    scale = {"RLIMIT_AS": 1 << 20, "RLIMIT_FSIZE": 1 << 20}
    return on(", ".join(text.format(limits[name] // scale.get(name, 1)) for name, text in shown.items()
                        if name in limits))


def no_new_privs():
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
        return on("set")
    return off(f"prctl refused ({os.strerror(ctypes.get_errno())})")


def filesystem(request):
    read_only = request["readable"] + [request["submission"], "/dev/urandom", "/dev/zero"]
    try:
        enforced = landlock.restrict(read_only, [request["scratch"], "/dev/null"])
    except OSError as exc:
        return off(f"not available: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else ""))
    extras = [what for what, present in (("TCP refused", enforced["tcp"]),
                                          ("abstract sockets and signals kept inside", enforced["scoped"])) if present]
    return on(f"ABI {enforced['abi']}: reads the standard library, numpy and the submission, writes only "
              f"its scratch folder" + "".join(f"; {e}" for e in extras))


def system_calls():
    if not seccomp.supported():
        return off(f"no filter for this architecture ({os.uname().machine})")
    try:
        size = seccomp.install()
    except OSError as exc:
        return off(f"the kernel refused the filter ({exc.strerror or exc})")
    return on(f"{size}-instruction filter: no network sockets, exec, ptrace, namespaces or IPC")


def verify(report):
    """Check each layer that claims to be on by trying what it forbids; a layer that lets it
    through is reported off, whatever the step that set it up believed."""
    if report["seccomp"]["on"]:
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
            report["seccomp"] = off("installed, but a network socket could still be made")
        except OSError as exc:
            if exc.errno != errno.EPERM:
                report["seccomp"] = off(f"installed, but socket() failed otherwise ({exc})")
    if report["landlock"]["on"]:
        try:
            os.listdir("/")
            report["landlock"] = off("restricted, but / could still be listed")
        except PermissionError:
            pass
    if report["no-new-privs"]["on"] and _libc.prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1:
        report["no-new-privs"] = off("set, but the kernel does not report it")
    return report
