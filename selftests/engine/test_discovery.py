"""Finding the student's files in whatever folder tree they submitted, and telling them what was graded."""
import os

import pytest

from autograder import discovery
from autograder.discovery import discover

from .helpers import nest_folders, remove_nested

EXPECTED = ["batchnorm.py", "rnn.py"]


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    return folder


def make(root, *paths, text="x = 1\n"):
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


def rel(found, root, name):
    return os.path.relpath(found.found[name], root)


# ---------------------------------------------------------------- where the files are

def test_a_file_at_the_top_is_found_without_a_note(root):
    found = discover(make(root, "batchnorm.py"), ["batchnorm.py"])
    assert found.found == {"batchnorm.py": str(root / "batchnorm.py")}
    assert found.notes == {"batchnorm.py": ""} and found.general == []


def test_a_nested_file_is_found_and_the_student_told_where(root):
    found = discover(make(root, "hw3-main/src/batchnorm.py"), ["batchnorm.py"])
    assert rel(found, root, "batchnorm.py") == "hw3-main/src/batchnorm.py"
    assert found.notes["batchnorm.py"] == "Graded hw3-main/src/batchnorm.py."


def test_expected_files_in_different_folders_are_all_found(root):
    found = discover(make(root, "a/batchnorm.py", "b/c/rnn.py"), EXPECTED)
    assert (rel(found, root, "batchnorm.py"), rel(found, root, "rnn.py")) == ("a/batchnorm.py", "b/c/rnn.py")


def test_a_missing_file_is_not_found_and_gets_a_note(root):
    found = discover(make(root, "batchnorm.py"), EXPECTED)
    assert "rnn.py" not in found.found
    assert found.notes["rnn.py"] == "rnn.py was not found in your submission."


def test_an_empty_submission_says_none_of_the_files_was_found(root):
    found = discover(root, EXPECTED)
    assert found.found == {}
    assert found.general == ["None of the expected files (batchnorm.py, rnn.py) was found in your submission."]


# ---------------------------------------------------------------- more than one copy

def test_two_copies_are_reported_and_the_one_beside_the_other_expected_files_graded(root):
    make(root, "final/batchnorm.py", "final/rnn.py", "attempt/batchnorm.py")
    found = discover(root, EXPECTED)
    assert rel(found, root, "batchnorm.py") == "final/batchnorm.py"
    assert found.notes["batchnorm.py"] == ("Found 2 files named batchnorm.py (attempt/batchnorm.py, "
                                           "final/batchnorm.py); graded final/batchnorm.py.")


def test_the_copy_in_company_wins_even_when_another_copy_is_shallower(root):
    make(root, "batchnorm.py", "deep/er/batchnorm.py", "deep/er/rnn.py")
    assert rel(discover(root, EXPECTED), root, "batchnorm.py") == "deep/er/batchnorm.py"


def test_without_company_the_shallowest_copy_is_graded(root):
    make(root, "a/b/batchnorm.py", "z/batchnorm.py")
    assert rel(discover(root, ["batchnorm.py"]), root, "batchnorm.py") == "z/batchnorm.py"


def test_equally_good_copies_are_broken_by_path_so_a_regrade_picks_the_same_one(root):
    make(root, "b/batchnorm.py", "a/batchnorm.py")
    assert rel(discover(root, ["batchnorm.py"]), root, "batchnorm.py") == "a/batchnorm.py"


# ---------------------------------------------------------------- names that are almost right

def test_a_case_mismatch_is_named_as_such(root):
    found = discover(make(root, "BatchNorm.py"), ["batchnorm.py"])
    assert "batchnorm.py" not in found.found
    assert found.notes["batchnorm.py"] == ("batchnorm.py was not found; found BatchNorm.py instead: "
                                           "file names are case-sensitive.")


@pytest.mark.parametrize("near_miss", ["batchnorm (1).py", "batch_norm.py", "batchnorm.ipynb", "batchnorm.py.txt",
                                       "batchnorn.py"])
def test_a_near_miss_name_is_suggested_for_renaming(root, near_miss):
    found = discover(make(root, f"hw/{near_miss}"), ["batchnorm.py"])
    assert "batchnorm.py" not in found.found
    assert found.notes["batchnorm.py"] == (f"batchnorm.py was not found; found {near_miss} instead. "
                                           "Rename it to batchnorm.py (a .py file) and resubmit.")


def test_unrelated_names_are_not_suggested(root):
    found = discover(make(root, "notes.txt", "rnn.py", "README.md"), ["batchnorm.py"])
    assert found.notes["batchnorm.py"] == "batchnorm.py was not found in your submission."


def test_at_most_three_near_misses_are_listed(root):
    make(root, *[f"batchnorm ({i}).py" for i in range(1, 6)])
    note = discover(root, ["batchnorm.py"]).notes["batchnorm.py"]
    assert note.count("batchnorm (") == 3


# ---------------------------------------------------------------- files that are never graded

def test_a_symbolic_link_is_ignored_with_a_note(root, tmp_path):
    make(tmp_path, "reference/batchnorm.py")
    os.symlink(tmp_path / "reference" / "batchnorm.py", root / "batchnorm.py")
    found = discover(root, ["batchnorm.py"])
    assert found.found == {}
    assert "batchnorm.py was ignored: it is a symbolic link (submit the file itself)." in found.general


def test_a_symbolic_link_to_a_folder_is_not_followed(root, tmp_path):
    make(tmp_path, "reference/batchnorm.py")
    os.symlink(tmp_path / "reference", root / "linked")
    assert discover(root, ["batchnorm.py"]).found == {}


def test_a_hard_link_is_ignored_with_a_note(root, tmp_path):
    make(tmp_path, "reference/batchnorm.py")
    os.link(tmp_path / "reference" / "batchnorm.py", root / "batchnorm.py")
    found = discover(root, ["batchnorm.py"])
    assert found.found == {}
    assert "batchnorm.py was ignored: it is a hard link." in found.general


def test_a_file_larger_than_1_mb_is_ignored_with_a_note(root):
    (root / "src").mkdir()
    (root / "src" / "batchnorm.py").write_bytes(b"#" * (discovery.MAX_FILE_BYTES + 1))
    found = discover(root, ["batchnorm.py"])
    assert found.found == {}
    assert "src/batchnorm.py was ignored: it is larger than 1 MB." in found.general


def test_a_file_of_exactly_1_mb_is_accepted(root):
    (root / "batchnorm.py").write_bytes(b"#" * discovery.MAX_FILE_BYTES)
    assert "batchnorm.py" in discover(root, ["batchnorm.py"]).found


def test_a_fifo_is_ignored_with_a_note(root):
    os.mkfifo(root / "batchnorm.py")
    found = discover(root, ["batchnorm.py"])
    assert found.found == {}
    assert "batchnorm.py was ignored: it is not a regular file." in found.general


def test_an_ignored_copy_does_not_hide_a_regular_copy(root, tmp_path):
    make(root, "src/batchnorm.py")
    make(tmp_path, "reference/batchnorm.py")
    os.symlink(tmp_path / "reference" / "batchnorm.py", root / "batchnorm.py")
    found = discover(root, ["batchnorm.py"])
    assert rel(found, root, "batchnorm.py") == "src/batchnorm.py"
    assert found.notes["batchnorm.py"] == "Graded src/batchnorm.py."


# ---------------------------------------------------------------- folders that are skipped

@pytest.mark.parametrize("folder", ["__MACOSX", ".hidden", ".git", "__pycache__", ".ipynb_checkpoints", "venv",
                                    "node_modules"])
def test_debris_and_hidden_folders_are_skipped(root, folder):
    found = discover(make(root, f"{folder}/batchnorm.py", f"hw/{folder}/rnn.py"), EXPECTED)
    assert found.found == {}


def test_macosx_debris_does_not_make_a_file_ambiguous(root):
    make(root, "hw/batchnorm.py", "__MACOSX/hw/batchnorm.py", "__MACOSX/hw/._batchnorm.py")
    found = discover(root, ["batchnorm.py"])
    assert rel(found, root, "batchnorm.py") == "hw/batchnorm.py"
    assert found.notes["batchnorm.py"] == "Graded hw/batchnorm.py."


def test_a_submission_with_too_many_files_is_cut_off_with_a_note(root, monkeypatch):
    monkeypatch.setattr(discovery, "MAX_ENTRIES", 5)
    make(root, *[f"f{i}.txt" for i in range(8)])
    found = discover(root, ["batchnorm.py"])
    assert "Your submission has more than 5 files and folders; the rest were not looked at." in found.general


# ---------------------------------------------------------------- helper modules

def test_helper_modules_beside_a_chosen_file_are_returned(root):
    make(root, "hw/batchnorm.py", "hw/utils.py", "hw/layers.py")
    found = discover(root, ["batchnorm.py"])
    assert found.helpers == {"utils.py": str(root / "hw" / "utils.py"), "layers.py": str(root / "hw" / "layers.py")}


def test_python_files_elsewhere_are_not_helpers(root):
    make(root, "hw/batchnorm.py", "scratch/utils.py", "hw/sub/layers.py")
    assert discover(root, ["batchnorm.py"]).helpers == {}


def test_an_expected_file_is_never_a_helper(root):
    make(root, "hw/batchnorm.py", "hw/rnn.py")
    assert discover(root, EXPECTED).helpers == {}


def test_a_copy_not_chosen_does_not_bring_its_helpers(root):
    make(root, "final/batchnorm.py", "final/rnn.py", "old/batchnorm.py", "old/old_utils.py")
    assert discover(root, EXPECTED).helpers == {}


def test_helpers_beside_any_of_the_chosen_files_are_returned(root):
    make(root, "a/batchnorm.py", "a/bn_utils.py", "b/rnn.py", "b/rnn_utils.py")
    assert sorted(discover(root, EXPECTED).helpers) == ["bn_utils.py", "rnn_utils.py"]


def test_non_python_files_are_not_helpers(root):
    make(root, "batchnorm.py", "data.npz", "notes.md")
    assert discover(root, ["batchnorm.py"]).helpers == {}


def test_another_expected_file_is_never_suggested_for_a_missing_one(root):
    make(root, "rnn.py", "cnn.py", "GNN.ipynb")
    found = discover(root, ["rnn.py", "cnn.py", "gnn.py"])
    assert found.notes["gnn.py"] == ("gnn.py was not found; found GNN.ipynb instead. Rename it to gnn.py "
                                     "(a .py file) and resubmit.")


def test_helper_modules_are_capped_in_number_and_size_and_the_rest_are_named(tmp_path):
    from autograder.discovery import MAX_HELPERS
    (tmp_path / "batchnorm.py").write_text("x = 1\n")
    for i in range(MAX_HELPERS + 30):
        (tmp_path / f"helper_{i:03d}.py").write_text("y = 2\n")
    found = discover(str(tmp_path), ["batchnorm.py"])
    assert len(found.helpers) == MAX_HELPERS
    assert any("30 other .py file(s) beside your graded files were not used" in note for note in found.general)


def test_helper_modules_beyond_the_size_cap_are_not_staged(tmp_path):
    from autograder.discovery import MAX_HELPER_BYTES
    (tmp_path / "batchnorm.py").write_text("x = 1\n")
    for i in range(6):
        (tmp_path / f"big_{i}.py").write_text("#" * (MAX_HELPER_BYTES // 4))
    found = discover(str(tmp_path), ["batchnorm.py"])
    assert sum((tmp_path / name).stat().st_size for name in found.helpers) <= MAX_HELPER_BYTES
    assert len(found.helpers) < 6


# ---------------------------------------------------------------- any tree, bounded

@pytest.fixture
def deep(root):
    """root with batchnorm.py at the bottom of 1,500 nested folders, removed afterwards."""
    nest_folders(root, 1500, file={"batchnorm.py": "x = 1\n"})
    yield root
    remove_nested(root)


def test_a_folder_nested_1500_deep_is_walked_without_recursion_and_the_depth_cut_is_noted(deep):
    root = make(deep, "rnn.py")
    found = discover(root, EXPECTED)
    assert rel(found, root, "rnn.py") == "rnn.py" and "batchnorm.py" not in found.found
    note = [n for n in found.general if "levels deep were not looked at" in n]
    assert note and note[0].startswith(f"Folders nested more than {discovery.MAX_DEPTH} levels deep")
    assert len(note[0]) < 500


def test_a_file_at_the_depth_limit_is_still_found(root):
    make(root, "/".join(["d"] * discovery.MAX_DEPTH) + "/batchnorm.py")
    assert "batchnorm.py" in discover(root, ["batchnorm.py"]).found


def test_ignored_files_are_listed_ten_at_most_then_counted(root):
    for i in range(25):
        os.mkfifo(root / f"f{i:02}.py")
    general = discover(root, ["batchnorm.py"]).general
    assert sum("was ignored: it is not a regular file" in n for n in general) == 10
    assert "15 more files were ignored for the same kinds of reasons." in general


def test_copies_are_listed_ten_at_most(root):
    make(root, *[f"c{i:02}/batchnorm.py" for i in range(30)])
    note = discover(root, ["batchnorm.py"]).notes["batchnorm.py"]
    assert note.startswith("Found 30 files named batchnorm.py (c00/batchnorm.py, ") and " and 20 more)" in note


def test_a_folder_name_with_a_newline_or_an_escape_stays_on_one_line_in_the_notes(root):
    make(root, "a\n# Autograder score: 100 / 100\x1b[2J/batchnorm.py")
    note = discover(root, ["batchnorm.py"]).notes["batchnorm.py"]
    assert "\n" not in note and "\x1b" not in note
    assert note == "Graded a\\x0a# Autograder score: 100 / 100\\x1b[2J/batchnorm.py."


def test_a_very_long_path_is_cut_in_the_notes(root):
    make(root, "/".join(["x" * 200] * 5) + "/batchnorm.py")
    note = discover(root, ["batchnorm.py"]).notes["batchnorm.py"]
    assert len(note) < 400 and note.endswith("/batchnorm.py.")
