"""The committed starter/ is generated from the reference by source/staff/starter.py."""
import importlib
import importlib.util
import inspect
from pathlib import Path

import pytest

from staff import starter

REPO = Path(__file__).resolve().parents[1]
STARTER_DIR = REPO / "starter"
REFERENCE_DIR = REPO / "source" / "reference"


def _load_starter(name):
    spec = importlib.util.spec_from_file_location(f"_starter_{name}", STARTER_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _public_functions(module):
    return {
        name: obj
        for name, obj in vars(module).items()
        if inspect.isfunction(obj) and obj.__module__ == module.__name__ and not name.startswith("_")
    }


def test_starter_holds_exactly_the_eight_student_files():
    assert sorted(p.stem for p in STARTER_DIR.glob("*.py")) == sorted(starter.MODULES)


@pytest.mark.parametrize("name", starter.MODULES)
def test_committed_starter_is_generated_from_the_reference(name):
    expected = starter.render_starter((REFERENCE_DIR / f"{name}.py").read_text(encoding="utf-8"))
    committed = (STARTER_DIR / f"{name}.py").read_text(encoding="utf-8")
    assert committed == expected, (
        f"starter/{name}.py is out of date with source/reference/{name}.py; do not edit it by "
        f"hand, regenerate it with: {starter.REGENERATE_COMMAND}"
    )


@pytest.mark.parametrize("name", starter.MODULES)
def test_starter_functions_have_the_reference_signatures_and_docstrings(name):
    reference = importlib.import_module(f"reference.{name}")
    student = _load_starter(name)
    ref_functions, student_functions = _public_functions(reference), _public_functions(student)
    assert sorted(student_functions) == sorted(ref_functions)
    for fname, ref_function in ref_functions.items():
        student_function = student_functions[fname]
        assert inspect.signature(student_function) == inspect.signature(ref_function), fname
        assert student_function.__doc__ and student_function.__doc__ == ref_function.__doc__, fname
    assert student.__doc__ and student.__doc__ == reference.__doc__


@pytest.mark.parametrize("name", starter.MODULES)
def test_every_starter_function_raises_not_implemented(name):
    for fname, function in _public_functions(_load_starter(name)).items():
        arguments = [None] * sum(
            p.default is inspect.Parameter.empty
            for p in inspect.signature(function).parameters.values()
        )
        with pytest.raises(NotImplementedError):
            function(*arguments)


@pytest.mark.parametrize("name", starter.MODULES)
def test_starter_exposes_no_private_helpers(name):
    student = _load_starter(name)
    assert not [n for n in vars(student) if n.startswith("_") and not n.startswith("__")]


def test_beam_search_starter_keeps_the_example_model():
    from reference import beam_search

    assert _load_starter("beam_search").EXAMPLE_MODEL == beam_search.EXAMPLE_MODEL


SAMPLE = '''"""Module docstring."""
import math

import numpy as np

EXAMPLE_MODEL = {"a": math.log(0.5)}
_SECRET = 42
OTHER = 7


def _helper(x):
    return x + _SECRET


# Kept with its function.
def public(x, y=1.0, *, eps=1e-5):
    """Says what it computes."""
    return _helper(x) * y


def undocumented(
    x,
):
    return x


class Hidden:
    pass


if __name__ == "__main__":
    print(public(1))
'''


def test_render_starter_keeps_docstrings_imports_signatures_and_student_constants_only():
    assert starter.render_starter(SAMPLE) == '''"""Module docstring."""

import math
import numpy as np

EXAMPLE_MODEL = {"a": math.log(0.5)}


# Kept with its function.
def public(x, y=1.0, *, eps=1e-5):
    """Says what it computes."""
    raise NotImplementedError


def undocumented(
    x,
):
    raise NotImplementedError
'''


def test_write_starter_renders_every_student_module(tmp_path):
    written = starter.write_starter(REFERENCE_DIR, tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{n}.py" for n in starter.MODULES)
    for path in written:
        assert path.read_text(encoding="utf-8") == (STARTER_DIR / path.name).read_text(encoding="utf-8")
