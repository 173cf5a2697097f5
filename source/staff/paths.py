"""Where the staff tools find this checkout's rubric, tests and reference by default."""
import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_RUBRIC = os.path.join(REPO, "rubric.yaml")
DEFAULT_TESTS = os.path.join(REPO, "tests")
