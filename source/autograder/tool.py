"""`./grader`: the course staff's tool around the engine.

    ./grader rubric check      is rubric.yaml consistent with the tests? (run after every edit)
    ./grader starter           regenerate starter/ from the reference solution
    ./grader package           build autograder.zip for Gradescope (refuses if the rubric check fails)
    ./grader kit               build the student kit: starter files, instructions, visible tests
    ./grader batch DIR         grade a folder of submissions in parallel, resumable, with a CSV
    ./grader rescore BATCH     recompute results and CSV after a rubric edit, without running code
    ./grader report BATCH      class report: score distribution, pass rates, common failures

Every subcommand has --help. Exit codes: 0 success, 1 a check failed, 2 bad usage.
"""
import argparse
import os
import sys

from autograder.cli import REPO, collect_tests

DEFAULT_RUBRIC = os.path.join(REPO, "rubric.yaml")
DEFAULT_TESTS = os.path.join(REPO, "tests")


def rubric_problems(rubric_path=DEFAULT_RUBRIC, tests_dir=DEFAULT_TESTS):
    """(rubric, collected tests, [problems]) — a rubric that cannot be parsed is one problem."""
    from autograder import rubric as rubric_module
    try:
        rubric = rubric_module.load(rubric_path)
    except (rubric_module.RubricError, OSError) as exc:
        return None, {}, [str(exc)]
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


def cmd_starter(args):
    from autograder import starter
    starter.write_starter(os.path.join(REPO, "source", "reference"), os.path.join(REPO, "starter"))
    print("starter/ regenerated from source/reference/")
    return 0


def parser():
    p = argparse.ArgumentParser(prog="grader", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n".join(__doc__.split("\n")[1:]))
    commands = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    rubric = commands.add_parser("rubric", help="rubric.yaml commands")
    rubric_commands = rubric.add_subparsers(dest="rubric_command", required=True, metavar="SUBCOMMAND")
    check = rubric_commands.add_parser(
        "check", help="fail on an entry that matches no test, a test with no points, a total that differs")
    check.add_argument("--rubric", default=DEFAULT_RUBRIC, help="rubric to check (default: %(default)s)")
    check.add_argument("--tests", default=DEFAULT_TESTS, help="graded tests (default: %(default)s)")
    check.set_defaults(run=cmd_rubric_check)

    starter = commands.add_parser("starter", help="regenerate starter/ from the reference solution")
    starter.set_defaults(run=cmd_starter)

    from autograder import batch, packaging, report
    packaging.add_commands(commands)
    batch.add_commands(commands)
    report.add_commands(commands)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
