"""`./grader rubric check`: is rubric.yaml consistent with the graded tests?"""
from autograder.cli import collect_tests
from staff.paths import DEFAULT_RUBRIC, DEFAULT_TESTS


def rubric_problems(rubric_path=DEFAULT_RUBRIC, tests_dir=DEFAULT_TESTS):
    """(rubric, collected tests, [problems]) — a rubric that cannot be parsed is one problem."""
    from autograder import rubric as rubric_module
    try:
        rubric = rubric_module.load(rubric_path)
    except rubric_module.RubricError as exc:
        return None, {}, exc.problems
    except OSError as exc:
        return None, {}, [f"{rubric_path} cannot be read: {exc.strerror}"]
    tests = collect_tests(tests_dir, rubric)
    if not tests:
        return rubric, tests, [f"no graded tests found in {tests_dir}"]
    return rubric, tests, rubric.problems(tests)


def cmd_rubric_check(args):
    rubric, tests, problems = rubric_problems(args.rubric, args.tests)
    if problems:
        print(f"rubric check FAILED ({len(problems)} problem{'s' if len(problems) > 1 else ''}):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    per_file = {}
    for test_id, (file, decorators) in tests.items():
        settings = rubric.settings(test_id, decorators)
        points, visible = per_file.get(file, (0.0, 0.0))
        per_file[file] = (points + settings.points, visible + settings.points * (settings.visibility == "visible"))
    print(f"rubric OK: {len(tests)} tests, {sum(p for p, _ in per_file.values()):g} points")
    for file in rubric.files:
        points, visible = per_file.get(file, (0.0, 0.0))
        print(f"  {file:<16} {points:>6g} points ({visible:g} in visible tests)")
    return 0
