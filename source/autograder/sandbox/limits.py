"""The limits on student code: the one place they are defined, with their defaults.

rubric.yaml's `sandbox:` section sets any of them; the worker applies them as resource limits
(rlimits) before any student code runs, and the controller applies the time limits.
"""
import dataclasses

# A worker is forked from the fork server and starts with its address space: about 110 MB (Python
# 3.11, numpy 2.4 with one BLAS thread, Linux x86-64), and it needs 126 MB to multiply two
# 1000x1000 matrices (bench/worker_memory.py). Below the floor every array a student creates fails.
MEMORY_FLOOR_MB = 128
WORKER_START_MB = 110

# The confinement layers, as results.json reports them and as `require:` names them.
LAYERS = ("sandbox-user", "no-new-privs", "seccomp", "landlock", "network-namespace", "rlimits", "disk-quota")


@dataclasses.dataclass
class Limits:
    """Per-worker limits; rubric.yaml's `sandbox:` section sets any of them."""
    call_timeout: float = 10.0       # seconds one call may take
    import_timeout: float = 10.0     # seconds importing a student file may take
    memory_mb: int = 512             # address space of one worker (one worker lives at a time)
    max_processes: int = 8           # processes and threads the sandbox user may have
    cpu_seconds: int = 300           # CPU time of one worker over its whole life
    file_size_mb: int = 16           # largest file a worker may write
    disk_mb: int = 64                # all the files a run's workers may have written at once
    disk_files: int = 2000           # files and folders a run's workers may have at once
    max_result_mb: int = 16          # largest reply a worker may send
    output_chars: int = 4000         # what a student's prints may fill in one test's feedback
    budget_seconds: float = 600.0    # the whole grading run (Gradescope's default limit is 40 min)
    require: tuple = ()              # layers (LAYERS) without which the grader refuses to grade

    @classmethod
    def from_mapping(cls, values):
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown sandbox setting(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
        values = dict(values)
        require = values.pop("require", None) or []
        if not isinstance(require, list) or any(layer not in LAYERS for layer in require):
            raise ValueError(f"require must be a list of layers among {', '.join(LAYERS)}, not {require!r}")
        for key, value in values.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{key} must be a positive number, not {value!r}")
        return cls(**values, require=tuple(require))

    def rlimits(self, uid):
        limits = {
            "RLIMIT_AS": self.memory_mb << 20,
            "RLIMIT_CPU": int(self.cpu_seconds),
            "RLIMIT_FSIZE": self.file_size_mb << 20,
            "RLIMIT_CORE": 0,
            "RLIMIT_NOFILE": 64,
        }
        if uid is not None:  # counted per user: only meaningful for a user of the sandbox's own
            limits["RLIMIT_NPROC"] = self.max_processes
        return limits




# What the trusted side writes, whatever a submission sends: caps that keep results.json readable
# (and small) however much text a student's code produces. Cut text says how much was left out.
FEEDBACK_CHARS = 8_000        # one test's feedback (its printed output has its own cap, output_chars)
RESULTS_CHARS = 1_000_000     # the feedback of all tests together in one results.json
STUDENT_CHARS = 300           # one piece of student text inside a sentence (a message's first line, a key)
STUDENT_BLOCK_CHARS = 4_000   # one block of student text (a traceback, the rest of a long message)
LISTED = 10                   # names listed in one sentence (dict keys, changed arguments, skipped files)
