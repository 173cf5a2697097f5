"""Entry point of run_autograder, started as `python -I source/grade.py`.

Isolated mode (-I) ignores PYTHONPATH, user site-packages and the current folder, so nothing in
the working directory or the environment can inject code into the trusted process; this file
then puts exactly one folder, its own, on the path.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from autograder.cli import main  # noqa: E402

sys.exit(main())
