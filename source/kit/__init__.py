"""The student kit's checker: runs the visible tests on a student's own machine (check.py)."""
