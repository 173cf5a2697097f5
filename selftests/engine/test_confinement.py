"""The confinement layers on their own: each is put on a fresh process, which then tries, for real,
what the layer must stop and what graded numpy code must still be able to do."""
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder.sandbox.confinement import landlock, seccomp

REPO = Path(__file__).resolve().parents[2]
HEADER = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
needs_seccomp = pytest.mark.skipif(not seccomp.supported(), reason="the filter is built for x86_64")
needs_landlock = pytest.mark.skipif(landlock.abi() < 1, reason="this kernel has no Landlock")


def confined(code, env=None, layers="seccomp"):
    """Run `code` in a fresh interpreter after putting the named layer on it; (returncode, stdout)."""
    prologue = f"""
        import sys, os, json, errno, ctypes
        sys.path.insert(0, {str(REPO / 'source')!r})
        from autograder.sandbox.confinement import landlock, seccomp
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        def raw(nr, *args):
            result = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
            return -ctypes.get_errno() if result < 0 else result
    """
    setup = {"seccomp": "seccomp.install()\n", "none": ""}.get(layers, layers)
    script = textwrap.dedent(prologue) + setup + textwrap.dedent(code)
    proc = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout + proc.stderr


# ---------------------------------------------------------------- seccomp

@pytest.mark.skipif(not HEADER.exists(), reason="needs the kernel's x86_64 syscall header")
def test_the_filters_system_call_numbers_are_the_kernels():
    table = {m.group(1): int(m.group(2)) for m in re.finditer(r"#define __NR_(\w+) (\d+)", HEADER.read_text())}
    assert {name: table.get(name) for name in seccomp.SYSCALLS} == seccomp.SYSCALLS


@needs_seccomp
def test_every_denied_system_call_fails_with_eperm():
    code, out = confined(f"""
        results = {{name: raw(seccomp.SYSCALLS[name], 0, 0, 0, 0, 0, 0) for name in {list(seccomp.DENIED)!r}}}
        print(json.dumps(results))
    """)
    assert code == 0, out
    results = json.loads(out.strip().splitlines()[-1])
    assert {name: value for name, value in results.items() if value != -1} == {}  # -EPERM for each


@needs_seccomp
def test_network_sockets_are_refused_and_unix_sockets_allowed():
    code, out = confined("""
        import socket
        made = {}
        for name in ("AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET"):
            try:
                socket.socket(getattr(socket, name), socket.SOCK_DGRAM).close()
                made[name] = "made"
            except OSError as exc:
                made[name] = errno.errorcode[exc.errno]
        a, b = socket.socketpair()
        a.sendall(b"ok"); made["socketpair"] = b.recv(2).decode()
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close(); made["AF_UNIX"] = "made"
        print(json.dumps(made))
    """)
    assert code == 0, out
    assert json.loads(out.strip().splitlines()[-1]) == {
        "AF_INET": "EPERM", "AF_INET6": "EPERM", "AF_NETLINK": "EPERM", "AF_PACKET": "EPERM",
        "socketpair": "ok", "AF_UNIX": "made"}


@needs_seccomp
def test_numpy_with_blas_threads_forks_and_threads_keep_working_under_the_filter():
    """numpy is imported after the filter, so OpenBLAS starts its threads under it."""
    code, out = confined("""
        import threading
        import numpy as np
        a = np.random.default_rng(0).normal(size=(400, 400))
        product = float(np.abs(a @ a).sum())
        inverse = np.linalg.inv(a).shape
        box = []
        worker = threading.Thread(target=lambda: box.append(float(np.fft.fft(a).real.sum())))
        worker.start(); worker.join()
        child = os.fork()
        if child == 0:
            os._exit(3)
        print(json.dumps([product > 0, list(inverse), len(box), os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])]))
    """, env={"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"})
    assert code == 0, out
    assert json.loads(out.strip().splitlines()[-1]) == [True, [400, 400], 1, 3]


@needs_seccomp
def test_new_namespaces_through_clone_are_refused_and_clone3_says_enosys():
    code, out = confined("""
        CLONE_NEWUSER, CLONE_NEWNET, SIGCHLD = 0x10000000, 0x40000000, 17
        print(json.dumps([raw(56, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0), raw(56, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0),
                          raw(435, 0, 0)]))
    """)
    assert code == 0, out
    assert json.loads(out.strip().splitlines()[-1]) == [-1, -1, -38]  # EPERM, EPERM, ENOSYS


@needs_seccomp
def test_signals_reach_only_the_worker_itself():
    parent = os.getpid()
    code, out = confined(f"""
        import signal
        os.kill(os.getpid(), 0)
        try:
            os.kill({parent}, 0)
            print("signalled the grader")
        except PermissionError:
            print("refused")
    """)
    assert code == 0, out
    assert out.strip().endswith("refused")


@needs_seccomp
def test_an_x32_system_call_kills_the_process():
    code, out = confined("raw(0x40000000 | 39)\nprint('survived')\n")  # x32 getpid
    assert code == -signal.SIGSYS, out
    assert "survived" not in out


@needs_seccomp
def test_an_i386_system_call_kills_the_process():
    """`int 0x80` enters the kernel through the 32-bit ABI, whose numbers differ: a side door
    around an x86_64 filter unless the architecture is checked."""
    code, out = confined("""
        import mmap
        machine_code = bytes([0xB8, 0x14, 0, 0, 0, 0xCD, 0x80, 0xC3])  # mov eax, 20 (getpid); int 0x80; ret
        page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        page.write(machine_code)
        address = ctypes.addressof(ctypes.c_char.from_buffer(page))
        ctypes.CFUNCTYPE(ctypes.c_int)(address)()
        print("survived")
    """)
    assert code == -signal.SIGSYS, out
    assert "survived" not in out


@needs_seccomp
def test_no_other_program_can_be_run():
    code, out = confined("""
        try:
            os.execv("/bin/true", ["true"])
        except PermissionError:
            print("refused")
    """)
    assert code == 0 and out.strip().endswith("refused"), out


# ---------------------------------------------------------------- Landlock

@needs_landlock
def test_landlock_allows_reading_only_what_it_is_given_and_writing_only_scratch_without_deleting(tmp_path):
    readable, scratch, elsewhere = tmp_path / "readable", tmp_path / "scratch", tmp_path / "elsewhere"
    for folder in (readable, scratch, elsewhere):
        folder.mkdir()
        (folder / "file.txt").write_text("secret" if folder == elsewhere else "fine")
    code, out = confined(f"""
        outcome = {{}}
        def attempt(name, action):
            try:
                action()
                outcome[name] = "allowed"
            except OSError as exc:
                outcome[name] = errno.errorcode[exc.errno]
        attempt("read given", lambda: open({str(readable / 'file.txt')!r}).read())
        attempt("write given", lambda: open({str(readable / 'new.txt')!r}, "w"))
        attempt("read elsewhere", lambda: open({str(elsewhere / 'file.txt')!r}).read())
        attempt("list elsewhere", lambda: os.listdir({str(elsewhere)!r}))
        attempt("write scratch", lambda: open({str(scratch / 'new.txt')!r}, "w").write("x"))
        attempt("remove in scratch", lambda: os.remove({str(scratch / 'file.txt')!r}))
        attempt("write /tmp", lambda: open("/tmp/ag-landlock-probe-%d" % os.getpid(), "w"))
        attempt("run a program", lambda: os.execv("/bin/true", ["true"]))
        print(json.dumps(outcome))
    """, layers=f"landlock.restrict([{str(readable)!r}, '/usr', '/lib', '/lib64', '/bin', '/etc'], [{str(scratch)!r}])\n")
    assert code == 0, out
    assert json.loads(out.strip().splitlines()[-1]) == {
        "read given": "allowed", "write given": "EACCES", "read elsewhere": "EACCES", "list elsewhere": "EACCES",
        "write scratch": "allowed", "remove in scratch": "EACCES", "write /tmp": "EACCES",
        "run a program": "EACCES"}


@pytest.mark.skipif(landlock.abi() < 4, reason="TCP rules need Landlock ABI 4")
def test_landlock_refuses_tcp_connections(tmp_path):
    import socket
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    code, out = confined(f"""
        import socket
        try:
            socket.create_connection(("127.0.0.1", {port}), timeout=2)
            print("connected")
        except PermissionError:
            print("refused")
    """, layers=f"landlock.restrict([], [{str(tmp_path)!r}])\n")
    listener.close()
    assert code == 0 and out.strip().endswith("refused"), out


@needs_seccomp
def test_files_without_a_name_cannot_be_made(tmp_path):
    code, out = confined(f"""
        outcome = []
        for flags in (os.O_TMPFILE | os.O_RDWR, os.O_RDWR | os.O_CREAT):
            try:
                os.close(os.open({str(tmp_path)!r} + ("" if flags & os.O_TMPFILE else "/named"), flags, 0o600))
                outcome.append("made")
            except OSError as exc:
                outcome.append(errno.errorcode[exc.errno])
        outcome.append(raw(437, -100, 0, 0, 0))  # openat2
        print(json.dumps(outcome))
    """)
    assert code == 0, out
    assert json.loads(out.strip().splitlines()[-1]) == ["EPERM", "made", -38]


@needs_seccomp
def test_the_kernel_cannot_be_asked_to_signal_another_process():
    """fcntl F_SETOWN/F_SETSIG/F_SETOWN_EX and the FIOSETOWN/SIOCSPGRP ioctls would have SIGIO (or
    any signal) sent to a process of one's choice, around the filter's rule for kill()."""
    code, out = confined("""
        import fcntl, socket
        a, b = socket.socketpair()
        results = [raw(72, a.fileno(), cmd, os.getppid()) for cmd in (8, 10, 15)]
        results += [raw(16, a.fileno(), request, 0) for request in (0x8901, 0x8902, 0x5412)]
        results.append(fcntl.fcntl(a, fcntl.F_GETFL) >= 0)
        print(json.dumps(results))
    """)
    assert code == 0, out
    assert json.loads(out.strip().splitlines()[-1]) == [-1, -1, -1, -1, -1, -1, True]


@needs_seccomp
def test_limits_and_scheduling_of_other_processes_cannot_be_changed(tmp_path):
    parent = os.getpid()
    code, out = confined(f"""
        import resource
        results = [raw(302, {parent}, resource.RLIMIT_FSIZE, 0, 0)]                   # prlimit64 on the grader
        resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32)); results.append("own limits")
        results.append(raw(203, {parent}, 8, ctypes.addressof(ctypes.c_ulong(1))))     # sched_setaffinity
        results.append(raw(141, 2, os.getuid(), 19))                                   # setpriority(PRIO_USER)
        os.nice(1); results.append("own niceness")
        with open({str(tmp_path / 'f')!r}, "wb") as f:
            results.append(raw(285, f.fileno(), 1, 0, 1 << 30))                        # fallocate KEEP_SIZE
            os.posix_fallocate(f.fileno(), 0, 4096); results.append("plain fallocate")
        print(json.dumps(results))
    """)
    assert code == 0, out
    assert json.loads(out.strip().splitlines()[-1]) == [-1, "own limits", -1, -1, "own niceness", -1, "plain fallocate"]
