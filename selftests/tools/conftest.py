"""The `toy_class` fixture: a folder of toy submissions to batch-grade."""
import pytest

from .helpers import make_toy_class


@pytest.fixture
def toy_class(tmp_path):
    """Five toy submissions: three correct, one wrong `scale`, one that exits at import."""
    return make_toy_class(tmp_path)
