"""Once per machine, as root (setup.sh runs it): what workers need, outside every checkout.

    python -I source/autograder/sandbox/prepare.py

Copies numpy to the machine-wide runtime folder (runtime.py) and records the folders any user can
write (cleanup.py removes what a sandbox user leaves there; the disk quota counts it), then
prints the runtime folder. Safe to run again, and by several checkouts at once.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from autograder.sandbox import cleanup, runtime  # noqa: E402


def main():
    folder = runtime.install()
    places = cleanup.find_world_writable()
    temporary = cleanup.FOUND_PLACES + f".{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(places, stream, indent=1)
    os.chmod(temporary, 0o644)
    os.replace(temporary, cleanup.FOUND_PLACES)
    print(folder)


if __name__ == "__main__":
    main()
