"""One student file, run for the kit's checker in a child process of its own.

The checker starts `python -B child.py SETTINGS` (SETTINGS is JSON: the checker folder, the file,
its module name, the limits). This process speaks the grader's protocol on its stdin and stdout
through the engine's own worker runtime (autograder/sandbox/worker.py), so a student's file is
imported, called, captured and described exactly as in the autograder's sandbox. Standard library
and numpy only, and nothing Linux-only at import: students run it on Linux, macOS and Windows.
"""
import json
import os
import sys


class Pipe:
    """A socket-like pair of pipe ends, as protocol.send and protocol.recv use a socket."""

    def __init__(self, read_fd, write_fd):
        self.read_fd, self.write_fd = read_fd, write_fd

    def recv(self, size):
        return os.read(self.read_fd, size)

    def sendall(self, data):
        view = memoryview(data)
        while view:
            view = view[os.write(self.write_fd, view):]

    def settimeout(self, seconds):
        """Deadlines are kept by the checker's reader thread, not here."""


def limit_memory(memory_mb):
    """The autograder's address-space limit, where the platform enforces one (Linux)."""
    if sys.platform.startswith("linux"):
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))


def main(settings):
    sys.path.insert(0, settings["checker"])
    from autograder.sandbox import worker
    # The protocol keeps private copies of stdin and stdout; the standard descriptors go to the null
    # device, so nothing the student's code (or a C library) writes can corrupt a reply.
    channel = Pipe(os.dup(0), os.dup(1))
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    folder = os.path.dirname(settings["path"])
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [folder] + [p for p in sys.path if p not in (settings["checker"], here)]
    limit_memory(settings["memory_mb"])
    worker.serve(channel, settings["module"], settings["path"], folder, settings["max_result_bytes"],
                 output_chars=settings["output_chars"])


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
