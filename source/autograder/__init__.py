"""The grading engine: a trusted side (pytest, reference, rubric, results) and the worker runtime
that runs student code on the other side of a plain-data protocol. See README.md, "How it works"."""
