"""The sandbox used directly, in the modes the end-to-end tests do not reach."""
import os

import numpy as np
import pytest

from autograder import failures
from autograder.sandbox.controller import ForkServer, Sandbox, observe
from autograder.sandbox.limits import Limits


@pytest.fixture
def module(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text("import os\n\ndef whoami():\n    return os.getuid()\n\ndef double(x):\n    return 2 * x\n")
    return str(path)


def test_without_a_sandbox_user_grading_works_and_says_its_isolation_is_limited(module):
    with Sandbox({"mod.py": module}, Limits(), isolate=False) as sandbox:
        assert sandbox.call("mod.py", "double", (np.arange(3.0),), {}).value.tolist() == [0.0, 2.0, 4.0]
        user = sandbox.isolation["layers"]["sandbox-user"]
        assert not user["on"] and "runs as an ordinary user" in user["detail"]


def test_a_worker_killed_from_outside_is_replaced_for_the_next_call(module):
    import os
    import signal
    with Sandbox({"mod.py": module}, Limits(), isolate=False) as sandbox:
        sandbox.call("mod.py", "double", (1.0,), {})
        os.kill(sandbox.current.pid, signal.SIGKILL)
        with pytest.raises(failures.WorkerDied):
            sandbox.call("mod.py", "double", (1.0,), {})
        assert sandbox.call("mod.py", "double", (2.0,), {}).value == 4.0


def test_the_whole_run_budget_stops_further_calls(module):
    with Sandbox({"mod.py": module}, Limits(budget_seconds=0.001), isolate=False) as sandbox:
        import time
        time.sleep(0.01)
        with pytest.raises(failures.BudgetExhausted):
            sandbox.call("mod.py", "double", (1.0,), {})


def test_a_file_that_was_not_submitted_fails_with_discoverys_note(module):
    with Sandbox({"mod.py": module}, Limits(), isolate=False, notes={"gnn.py": "gnn.py was not found."}) as sandbox:
        with pytest.raises(failures.FileMissing, match="gnn.py was not found."):
            sandbox.call("gnn.py", "gnn_layer", (), {})


@pytest.mark.skipif(os.geteuid() != 0, reason="sandbox users exist only as root")
def test_staged_files_are_readable_by_this_runs_sandbox_user_only(module):
    with Sandbox({"mod.py": module}, Limits()) as sandbox:
        for path in (sandbox.submission_dir, sandbox.staged_files["mod.py"]):
            info = os.stat(path)
            assert (info.st_uid, info.st_gid) == (0, sandbox.user.gid)
            assert info.st_mode & 0o007 == 0  # nothing for other users, such as another student's worker
        assert sandbox.call("mod.py", "whoami", (), {}).value == sandbox.user.uid


@pytest.mark.skipif(os.geteuid() != 0, reason="a network namespace needs root")
def test_as_root_workers_share_an_empty_network_namespace_that_is_not_the_graders(tmp_path):
    (tmp_path / "mod.py").write_text("import os\n\ndef pid():\n    return os.getpid()\n")
    with Sandbox({"a.py": str(tmp_path / "mod.py"), "b.py": str(tmp_path / "mod.py")}, Limits()) as sandbox:
        seen = []
        for file in ("a.py", "b.py"):
            pid = sandbox.call(file, "pid", (), {}).value
            with open(f"/proc/{pid}/net/dev") as table:
                seen.append((os.readlink(f"/proc/{pid}/ns/net"), [line.split(":")[0].strip() for line in table][2:]))
        layer = sandbox.isolation["layers"]["network-namespace"]
    (namespace, interfaces), (other, _) = seen
    assert namespace == other != os.readlink("/proc/self/ns/net")
    assert interfaces == ["lo"]
    assert layer["on"]


def test_a_network_namespace_reported_but_not_seen_in_proc_is_reported_off():
    reported = {"network-namespace": {"on": True, "detail": "a namespace of its own"}}
    assert observe(os.getpid(), reported, None)["network-namespace"]["on"] is False


def test_workers_start_from_a_frozen_heap_so_their_collections_copy_none_of_the_servers_pages(tmp_path):
    (tmp_path / "mod.py").write_text("import gc\n\ndef frozen():\n    return gc.get_freeze_count()\n")
    with Sandbox({"mod.py": str(tmp_path / "mod.py")}, Limits(), isolate=False) as sandbox:
        assert sandbox.call("mod.py", "frozen", (), {}).value > 10_000  # numpy and the standard library


def test_a_sandbox_given_a_probes_layers_starts_no_probe_but_still_records_what_each_worker_reports(module):
    server = ForkServer()
    try:
        with Sandbox({}, Limits(), isolate=False, server=server) as probe:
            probed = probe.isolation["layers"]
        spawned, spawn = [], server.spawn
        server.spawn = lambda request, channel: spawned.append(request["module"]) or spawn(request, channel)
        claimed = {**probed, "sandbox-user": {"on": True, "detail": "claimed by the probe"}}
        with Sandbox({"mod.py": module}, Limits(), isolate=False, server=server, probed=claimed) as sandbox:
            sandbox.ready()
            before = list(spawned)
            sandbox.call("mod.py", "double", (1.0,), {})
            layers = sandbox.isolation["layers"]
    finally:
        server.close()
    assert before == [] and spawned == ["mod"]
    assert layers["sandbox-user"] == probed["sandbox-user"]  # the worker said off: off it is
    assert {name: layer["on"] for name, layer in layers.items()} == {name: layer["on"] for name, layer in probed.items()}


REMEMBERS = """
import os

SEEN = []

def remember(value):
    left_before = os.path.exists("seen.txt")
    SEEN.append(value)
    with open("seen.txt", "a") as log:
        log.write(f"{value}\\n")
    return [len(SEEN), left_before]
"""


@pytest.mark.parametrize("isolate", [True, False] if os.geteuid() == 0 else [False])
def test_a_visible_call_after_a_hidden_one_gets_a_fresh_worker_and_scratch_folder(tmp_path, isolate):
    path = tmp_path / "mod.py"
    path.write_text(REMEMBERS)
    with Sandbox({"mod.py": str(path)}, Limits(), isolate=isolate) as sandbox:
        calls = [(1, True), (2, False), (3, False), (4, True), (5, True)]
        seen = [sandbox.call("mod.py", "remember", (value,), {}, visible=visible).value for value, visible in calls]
    # visible then hidden: one worker; the first visible call after hidden ones starts afresh
    assert seen == [[1, False], [2, True], [3, True], [1, False], [2, True]]


@pytest.mark.parametrize("isolate", [True, False] if os.geteuid() == 0 else [False])
def test_a_visible_call_to_another_file_after_a_hidden_one_finds_a_fresh_scratch_folder(tmp_path, isolate):
    (tmp_path / "a.py").write_text(REMEMBERS)
    (tmp_path / "b.py").write_text(REMEMBERS)
    with Sandbox({"a.py": str(tmp_path / "a.py"), "b.py": str(tmp_path / "b.py")}, Limits(), isolate=isolate) as sandbox:
        sandbox.call("a.py", "remember", (1,), {}, visible=False)
        assert sandbox.call("b.py", "remember", (2,), {}, visible=True).value == [1, False]
        assert sandbox.events == []  # the worker of a.py had to go anyway: nothing extra to report


def test_the_worker_names_exactly_the_arguments_a_call_changed():
    from autograder.sandbox import worker

    def change(a, b, c, d, e):
        a[0, 0] += 1.0
        b.append(object())
        d["new"] = 1

    named = worker.parameter_names(change, (np.ones((2, 2)), [1.0], float("nan"), {"k": [np.zeros(2)]}, (1, "x")), {})
    before = worker.snapshot(named)
    change(*(value for _, value in named))
    assert worker.mutated(before, named) == ["a", "b", "d"]  # an unchanged NaN is unchanged


def test_a_changed_leaf_deep_in_a_model_is_a_change_and_equal_data_shared_differently_is_not():
    import json

    from autograder.sandbox import worker

    def touch(model, tokens, table):
        model["a b"]["c"] += 1e-12
        tokens[1] = tokens[0]                                # the same string, now shared
        table["rows"] = [list(row) for row in table["rows"]]  # equal rows, new lists

    arguments = json.loads('[{"": {"a": -0.5, "c": -1.0}, "a b": {"c": -2.0, "d": -0.25}}, ["x", "x"], '
                           '{"rows": [[1, 2.5, true, null]]}]')
    named = worker.parameter_names(touch, arguments, {})
    before = worker.snapshot(named)
    touch(*arguments)
    assert worker.mutated(before, named) == ["model"]


COUNTS = """
MADE = []

def inverse(x):
    MADE.append(x)
    return 1.0 / x

def made():
    return MADE
"""


def test_calls_are_made_in_order_in_one_exchange_until_the_first_failure(tmp_path):
    (tmp_path / "mod.py").write_text(COUNTS)
    with Sandbox({"mod.py": str(tmp_path / "mod.py")}, Limits(), isolate=False) as sandbox:
        results = sandbox.calls("mod.py", "inverse", [((2.0,), {}), ((4.0,), {})])
        assert [r.value for r in results] == [0.5, 0.25]
        one, zero = sandbox.calls("mod.py", "inverse", [((1.0,), {}), ((0.0,), {}), ((8.0,), {})])
        assert one.value == 1.0 and isinstance(zero, failures.StudentRaised) and "ZeroDivisionError" in str(zero)
        assert sandbox.call("mod.py", "made", (), {}).value == [2.0, 4.0, 1.0, 0.0]  # 8.0 never made


def test_calls_past_failures_are_all_made_in_one_exchange(tmp_path):
    (tmp_path / "mod.py").write_text(COUNTS)
    with Sandbox({"mod.py": str(tmp_path / "mod.py")}, Limits(), isolate=False) as sandbox:
        outcomes = sandbox.calls("mod.py", "inverse", [((0.0,), {}), ((2.0,), {}), ((0.0,), {})], past_failures=True)
        assert [type(o).__name__ for o in outcomes] == ["StudentRaised", "CallResult", "StudentRaised"]
        assert sandbox.call("mod.py", "made", (), {}).value == [0.0, 2.0, 0.0]


SLOW = """
import time

def slow(x):
    time.sleep(0.4)
    return x

def hangs_on_two(x):
    while x == 2:
        pass
    return x
"""


def test_calls_that_together_outlast_one_calls_time_limit_are_made_again_one_at_a_time(tmp_path):
    (tmp_path / "mod.py").write_text(SLOW)
    with Sandbox({"mod.py": str(tmp_path / "mod.py")}, Limits(call_timeout=1.0), isolate=False) as sandbox:
        results = sandbox.calls("mod.py", "slow", [((i,), {}) for i in range(4)])  # 1.6 s in all, 0.4 s each
        assert [r.value for r in results] == [0, 1, 2, 3]


@pytest.mark.parametrize("past_failures", [False, True])
def test_a_call_that_hangs_among_several_is_the_last_outcome_after_the_results_before_it(tmp_path, past_failures):
    (tmp_path / "mod.py").write_text(SLOW)
    with Sandbox({"mod.py": str(tmp_path / "mod.py")}, Limits(call_timeout=0.5), isolate=False) as sandbox:
        one, hung = sandbox.calls("mod.py", "hangs_on_two", [((1,), {}), ((2,), {}), ((3,), {})],
                                  past_failures=past_failures)
        assert one.value == 1 and isinstance(hung, failures.CallTimeout) and "0.5 s" in str(hung)


BIG = """
import numpy as np

def big(n):
    return np.full(n, 0.1)
"""


def test_results_that_fit_one_by_one_but_not_together_are_all_returned(tmp_path):
    (tmp_path / "mod.py").write_text(BIG)
    with Sandbox({"mod.py": str(tmp_path / "mod.py")}, Limits(max_result_mb=1), isolate=False) as sandbox:
        n = 50_000  # about 0.5 MB encoded: one fits in the 1 MB limit, three do not
        outcomes = sandbox.calls("mod.py", "big", [((n,), {}), ((n,), {}), ((n,), {})])
        assert [len(o.value) for o in outcomes] == [n, n, n]
        one, too_big = sandbox.calls("mod.py", "big", [((n,), {}), ((3 * n,), {}), ((n,), {})])
        assert len(one.value) == n and isinstance(too_big, failures.ResultTooLarge)


def test_a_frame_keeps_the_replies_that_fit_and_fails_a_first_reply_too_large_alone():
    from autograder.sandbox import protocol, worker
    replies = [{"ok": True, "value": "x" * 400, "stdout": ""} for _ in range(4)]
    kept = protocol.loads(worker.framed(replies, 1000)[protocol.HEADER.size:])["replies"]
    assert 1 <= len(kept) < 4 and kept == replies[:len(kept)]
    (alone,) = protocol.loads(worker.framed(replies, 300)[protocol.HEADER.size:])["replies"]
    assert alone["ok"] is False and alone["error"]["type"] == "ResultTooLarge"


LINEAR = """
import numpy as np

def forward(x, w):
    return x @ w

def backward(dout, x, w):
    return dout @ w.T, x.T @ dout
"""


@pytest.mark.parametrize("wrong", [False, True])
def test_a_gradient_check_of_a_student_forward_takes_one_exchange_for_all_its_points(tmp_path, wrong):
    from autograder import student
    from autograder.gradcheck import gradient_check
    (tmp_path / "mod.py").write_text(LINEAR.replace("x.T @ dout", "2 * x.T @ dout") if wrong else LINEAR)
    rng = np.random.default_rng(0)
    x, w, dout = rng.normal(size=(3, 2)), rng.normal(size=(2, 4)), rng.normal(size=(3, 4))
    with Sandbox({"mod.py": str(tmp_path / "mod.py")}, Limits(), isolate=False) as sandbox:
        exchanges, calls = [], sandbox.calls
        sandbox.calls = lambda file, function, arguments, *rest, **options: (
            exchanges.append((function, len(arguments))) or calls(file, function, arguments, *rest, **options))
        student.bind(sandbox)
        student.begin_test(None, reveal=True)
        try:
            mod = student.student_file("mod.py")
            grads = mod.backward(dout, x, w)
            check = lambda: gradient_check(grads, lambda x, w: mod.forward(x, w), at={"x": x, "w": w},  # noqa: E731
                                           upstream=dout, names={"dx": "x", "dw": "w"})
            if wrong:
                with pytest.raises(failures.StudentFailure, match="dw"):
                    check()
            else:
                check()
        finally:
            student.bind(None)
    assert exchanges == [("backward", 1), ("forward", 1 + 2 * x.size + 2 * w.size)]  # the point itself, then steps
