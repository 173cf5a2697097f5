"""Puts a benchmark's figures into README.md between its markers, so the README quotes the last run."""
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def replace_section(name, text):
    """Replace what stands between <!-- NAME:start --> and <!-- NAME:end --> in README.md with text."""
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    readme = README.read_text()
    head, rest = readme.split(start, 1)
    README.write_text(head + start + text.rstrip("\n") + "\n" + end + rest.split(end, 1)[1])
