"""The course staff's tools (./grader): clients of the grading engine in autograder/, never
imported by it."""
