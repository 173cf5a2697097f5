"""A worker's reply to a call, read by the trusted side: a value, or the StudentFailure it describes.

Shared by the sandbox's controller and the student kit's checker (which runs student code in a
plain child process), so both turn the same reply into the same feedback. Standard library, numpy
and the engine's own modules only: nothing here is specific to one platform.
"""
import dataclasses

from autograder import failures
from autograder.sandbox import protocol
from autograder.sandbox.limits import Limits


@dataclasses.dataclass
class CallResult:
    value: object
    printed: str
    mutated: list


def interpret(file, function, reply, max_bytes, output_chars=Limits.output_chars):
    """A worker's reply to a call, as a CallResult or the StudentFailure it describes.

    Every field is checked: the reply comes from the student's process, so whatever it holds is
    the student's result, good or bad, and never an error of the grader's.
    """
    printed = _text(reply.get("stdout"), output_chars + 100)  # room for the "... not shown" line
    mutated = reply.get("mutated") or []
    if type(mutated) is not list or not all(type(m) is str for m in mutated):
        raise failures.BadResult(function, "the worker sent a malformed reply")
    mutated = [m[:100] for m in mutated[:100]]
    if reply.get("ok") is not True:
        error = error_report(reply.get("error"))
        # The worker's own reports name a bare type; a student's exception is module-qualified
        # (toy.ResultTooLarge), so a student's class cannot pass for one of them.
        own = error["types"] == [error["type"]]
        if error["type"] == "NotImplementedError":
            raise failures.NotAttempted(file, function)
        if own and error["type"] == "MissingFunction":
            raise failures.MissingFunction(file, function)
        if own and error["type"] == "Unencodable":
            raise failures.BadResult(function, error["message"])
        if own and error["type"] == "ResultTooLarge":
            message = error["message"]
            size = int(message) if message.isascii() and message.isdigit() and len(message) < 19 else max_bytes + 1
            raise failures.ResultTooLarge(file, function, size, max_bytes)
        failure = failures.StudentRaised(file, function, error)
        failure.printed = printed
        raise failure
    try:
        value = protocol.decode(reply.get("value"))
    except (protocol.ProtocolError, ValueError, RecursionError) as exc:
        raise failures.BadResult(function, f"the worker sent a malformed value ({exc})") from None
    return CallResult(value, printed, mutated)


def interpret_all(file, function, reply, count, max_bytes, output_chars=Limits.output_chars, past_failures=False):
    """A worker's reply to `count` calls: an outcome per call answered, its CallResult or the
    StudentFailure it describes (returned, not raised). The worker answers the first calls in
    order: without `past_failures` up to the first failure; and only as many as fit in one frame.
    A reply that is malformed as a whole raises BadResult."""
    answers = reply.get("replies")
    if type(answers) is not list or not 1 <= len(answers) <= count or any(type(a) is not dict for a in answers):
        raise failures.BadResult(function, "the worker sent a malformed reply")
    outcomes = []
    for answer in answers:
        try:
            outcomes.append(interpret(file, function, answer, max_bytes, output_chars))
        except failures.StudentFailure as failure:
            outcomes.append(failure)
            if not past_failures:
                break
    return outcomes


def pinned(exchange, arguments, past_failures=False):
    """The outcomes of `arguments` (interpret_all's), made by exchange(calls): one exchange with
    a worker for them all, then more for any the worker left unanswered.

    A failure of an exchange as a whole (a timeout, a crash, a reply too large) is raised by
    `exchange` and cannot say which call caused it. When that exchange held several calls, the
    rest are made one exchange each, so that the failure lands on its own call, as the last
    outcome: the student hears exactly what separate calls would have told them.
    """
    outcomes, size = [], len(arguments)
    while len(outcomes) < len(arguments):
        calls = arguments[len(outcomes):len(outcomes) + size]
        try:
            outcomes += exchange(calls)
        except failures.StudentFailure as failure:
            if len(calls) == 1:
                return outcomes + [failure]
            size = 1
            continue
        if isinstance(outcomes[-1], failures.StudentFailure) and not past_failures:
            break
    return outcomes


def first_result(outcomes):
    """The CallResult of a single call, or its StudentFailure raised."""
    if isinstance(outcomes[0], failures.StudentFailure):
        raise outcomes[0]
    return outcomes[0]


def _text(value, cap=8000):
    """A string field of a reply, at most `cap` characters; anything else is no text."""
    return value[:cap] if type(value) is str else ""


def error_report(error):
    """A worker's error report, reduced to strings of bounded length whatever it sent."""
    error = error if type(error) is dict else {}
    types = error.get("types")
    return {
        "type": _text(error.get("type"), 100) or "Error",
        "types": [t[:100] for t in types[:50] if type(t) is str] if type(types) is list else [],
        "message": _text(error.get("message")),
        "traceback": _text(error.get("traceback")),
    }
