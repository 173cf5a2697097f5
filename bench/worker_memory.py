"""How much address space a sandbox worker needs: the floor of `sandbox: memory_mb` in rubric.yaml.

Run `.venv/bin/python bench/worker_memory.py` (as root for the real sandbox user). A worker is
forked from the fork server, so it starts with the server's address space (Python, numpy, the
preloaded modules); RLIMIT_AS below that does not kill it, but every new mapping then fails, so
any array larger than malloc's mmap threshold raises MemoryError. This measures, in real workers:
  1. the address space (VmSize) of a worker when it answers its first call;
  2. the smallest `memory_mb` with which a worker still multiplies two 1000x1000 float64 matrices
     (24 MB of arrays, a generous working set for this assignment's inputs).
limits.MEMORY_FLOOR_MB is chosen from these figures; rerun this after upgrading numpy or Python.
"""
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "source"))

from autograder import failures  # noqa: E402
from autograder.sandbox import controller  # noqa: E402
from autograder.sandbox.limits import Limits  # noqa: E402

PROBE = '''import numpy as np

def ready():
    return True

def multiply(n):
    a = np.ones((n, n))
    return float((a @ a)[0, 0])
'''


def call(folder, memory_mb, function, *args):
    with controller.Sandbox({"probe.py": str(folder / "probe.py")}, Limits(memory_mb=memory_mb)) as sandbox:
        return sandbox.call("probe.py", function, args, {}).value


def address_space_mb(folder):
    """VmSize of a worker that has answered its first call, read from outside (Landlock keeps the
    worker itself out of /proc)."""
    with controller.Sandbox({"probe.py": str(folder / "probe.py")}, Limits()) as sandbox:
        sandbox.call("probe.py", "ready", (), {})
        status = open(f"/proc/{sandbox.current.pid}/status").read()
    return int(status.split("VmSize:")[1].split()[0]) / 1024


def can_multiply(folder, memory_mb):
    try:
        return call(folder, memory_mb, "multiply", 1000) == 1000.0
    except failures.StudentFailure:
        return False


def smallest_memory_mb(folder, low=1, high=512):
    assert can_multiply(folder, high), f"a worker cannot multiply even with {high} MB"
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if can_multiply(folder, middle) else (middle, high)
    return high


def main():
    import numpy
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        os.chmod(folder, 0o755)
        (folder / "probe.py").write_text(PROBE)
        print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}, {sys.platform}, "
              f"{'root (sandbox user)' if os.geteuid() == 0 else 'ordinary user'}")
        print(f"address space of a worker at its first call: {address_space_mb(folder):.0f} MB")
        print(f"smallest memory_mb with which a worker multiplies two 1000x1000 matrices: "
              f"{smallest_memory_mb(folder)} MB")


if __name__ == "__main__":
    main()
