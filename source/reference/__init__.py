"""The reference solution: trusted, never readable by student code."""
