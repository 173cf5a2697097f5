"""The graded tests collected once and run many times: how a batch grades a class without paying
for pytest's start-up and collection in every submission.

`with_collected(tests_dir, rubric, body)` runs pytest as far as the end of collection and calls
`body(collected)` inside that live session. The batch forks one child per submission from there;
each child grades with `collected.run()`, which runs every collected test exactly as pytest's own
loop would, against the sandbox the child has bound. The parent never runs a test, so every child
starts from the state a fresh `run_autograder` reaches after collecting.
"""
import pytest

from autograder.cli import pytest_args
from autograder.plugin import GradingPlugin


class Collected:
    """pytest's session after collection, held open while `body` runs (a pytest plugin)."""

    def __init__(self, rubric, body):
        self.grading = GradingPlugin(rubric)
        self.session = None
        self._body, self.returned, self.raised = body, None, None

    @property
    def tests(self):
        """{test id: (file, decorators)} of every collected test, for the rubric check."""
        return self.grading.collected

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        self.session = session
        for item in session.items:
            item.location  # a cached property pytest reads in every test: computed once, not in every child
        if not self.grading.collection_errors:
            try:
                self.returned = self._body(self)
            except BaseException as exc:  # raised again once pytest has closed its session
                self.raised = exc
        return True

    def run(self):
        """Run every collected test (in a forked child); the grading plugin, holding their outcomes."""
        items = self.session.items
        for i, item in enumerate(items):
            following = items[i + 1] if i + 1 < len(items) else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
        return self.grading


class CollectionFailed(RuntimeError):
    """The graded tests cannot be collected (a test module does not import): the grader's fault."""


def with_collected(tests_dir, rubric, body):
    """body(Collected) inside a pytest session that has collected the graded tests; what it returns.

    Whatever body raises is raised here; tests that cannot be collected raise CollectionFailed.
    """
    collected = Collected(rubric, body)
    code = pytest.main(pytest_args(tests_dir, False) + ["--capture=no"], plugins=[collected.grading, collected])
    if collected.raised is not None:
        raise collected.raised
    if code == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt
    if collected.grading.collection_errors or collected.session is None or code not in (0, 5):
        raise CollectionFailed(f"the graded tests could not be collected (pytest exit code {int(code)}):\n"
                           + "\n".join(collected.grading.collection_errors))
    return collected.returned
