"""The trust boundary: student code runs in confined worker processes, never in the grader.

    controller.py    trusted side: Sandbox starts workers, ships calls, reads replies, retires them
    forkserver.py    a clean process (numpy loaded, nothing secret) that forks one worker per file
    confinement/     the layers a freshly forked worker puts on itself before any student code runs
    worker.py        the untrusted runtime: imports one student file and answers calls
    protocol.py      the wire format between the two sides: length-prefixed JSON of plain data
    limits.py        every limit on student code, with its default
    users.py         sandbox users, locked machine-wide while a run holds one
    cleanup.py       what a sandbox user leaves behind (processes, files) is removed

Nothing is imported here, so the fork server loads only what a worker needs.
"""
