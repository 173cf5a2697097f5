"""`./grader`: the course staff's tool around the engine.

    ./grader rubric check      is rubric.yaml consistent with the tests? (run after every edit)
    ./grader starter           regenerate starter/ from the reference solution
    ./grader package           build autograder.zip for Gradescope (refuses if the rubric check fails)
    ./grader kit               build the student kit: starter files, instructions, visible tests
    ./grader batch EXPORT      grade a class in parallel (Gradescope's export zip or folder), resumable
    ./grader rescore BATCH     recompute results and CSV after a rubric edit, showing whose scores change
    ./grader compare OLD NEW   regrade preview: whose scores change between two batch folders
    ./grader merge SHARD...    put the folders of `batch --shard K/N` runs together
    ./grader report BATCH      class report for staff: what the class got wrong, per function and student

Every subcommand has --help. Exit codes: 0 success, 1 a check failed, 2 bad usage.
"""
import argparse
import os
import sys

from staff import rubric_check
from staff.paths import DEFAULT_RUBRIC, DEFAULT_TESTS, REPO


def cmd_starter(args):
    from staff import starter
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
    check.set_defaults(run=rubric_check.cmd_rubric_check)

    starter = commands.add_parser("starter", help="regenerate starter/ from the reference solution")
    starter.set_defaults(run=cmd_starter)

    from staff import batch, packaging, report
    packaging.add_commands(commands)
    batch.add_commands(commands)
    report.add_commands(commands)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        code = args.run(args)
        sys.stdout.flush()  # here, so that a reader who left early is noticed while it can be handled
        return code
    except BrokenPipeError:  # `./grader report | head`: the reader has gone, so stop without a word
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("\ngrader: stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
