"""How few SGD steps the autoencoder's training tests can afford: `.venv/bin/python bench/sgd_budget.py`.

The training tests judge train_linear_autoencoder by what it achieves (tests/test_autoencoder_examples.py
TRAINING and LIMITS, tests/test_autoencoder.py RUNS and LIMITS): the loss near the optimum, W2 W1 onto the
top-k principal subspace, W2's columns nearly orthonormal for small lam. Training is most of a grading's
CPU, so the runs should be as short as possible, but a correct SGD must pass them for *every* seed, however
it is written, and every wrong one must fail. This script measures both, in-process, for every run the
tests make:

  correct variants: the reference, the four corpus styles, and SGD written other ways (starts of size 1e-6
                    to 0.15, normal, uniform or all-positive; W1 or W2 updated first; an in-place shuffle);
  wrong variants:   no weight decay, weight decay lam/n or lam W, the reconstruction gradient without its 2,
                    a start of size 1, a zero start, W2 never updated, ascent.

For each run it prints the worst value any correct variant reached against the run's limit, and for each
wrong variant how many seeds fail the run. It ends with the verdict the tests rely on: every correct
variant passes every run for every seed, and every wrong variant fails at least one hidden run for every
seed. `--scan` also tries each run with fewer epochs and reports the fewest at which every
correct variant passes the run's limits tightened by 1.5x and every wrong variant it catches fails them
loosened by 1.5x, on every seed: the smallest budget with room to spare, which is what the tests use. These are measurements, not tests:
nothing asserts on them (selftests/test_sgd_budget.py only checks the machinery on a few seeds).
"""
import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "source"), str(REPO / "tests")]

import test_autoencoder as hidden  # noqa: E402  (the graded tests' own runs and limits)
import test_autoencoder_examples as visible  # noqa: E402
from reference import autoencoder as reference  # noqa: E402

for _name in ("test_autoencoder", "test_autoencoder_examples"):
    del sys.modules[_name]  # so that pytest can still collect a copy of them in this process (the self-tests)

CHECKS = {"visible": ("excess", "subspace", "ortho"), "small": ("excess", "subspace", "ortho"),
          "large": ("excess", "subspace")}


def sgd(X, k, lam, lr, epochs, seed, *, start=0.1, draw="normal", decay=2.0, recon=2.0, w1_first=False,
        sign=-1.0, update_w2=True, per_point_decay=1.0):
    """One-point SGD on the autoencoder loss, written so that each keyword is one way of getting it right or
    wrong: the start's size and distribution, the factors of the two gradient terms, the order of the
    updates, the direction of the step, whether W2 moves."""
    rng = np.random.default_rng(seed)
    m, n = X.shape
    if draw == "normal":
        W1, W2 = start * rng.standard_normal((k, m)), start * rng.standard_normal((m, k))
    elif draw == "uniform":
        W1, W2 = rng.uniform(-start, start, (k, m)), rng.uniform(-start, start, (m, k))
    else:
        W1, W2 = rng.uniform(0.0, start, (k, m)), rng.uniform(0.0, start, (m, k))
    order = np.arange(n)
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            rng.shuffle(order)
            for i in order:
                x = X[:, i]
                code = W1 @ x
                residual = W2 @ code - x
                step1 = lr * (recon * np.outer(W2.T @ residual, x) + decay * per_point_decay * lam * W1)
                if w1_first:
                    W1 = W1 + sign * step1
                    code = W1 @ x
                    residual = W2 @ code - x
                step2 = lr * (recon * np.outer(residual, code) + decay * per_point_decay * lam * W2)
                if not w1_first:
                    W1 = W1 + sign * step1
                if update_w2:
                    W2 = W2 + sign * step2
    return W1, W2


def _style(name):
    path = REPO / "selftests" / "corpus" / "styles" / name / "autoencoder.py"
    spec = importlib.util.spec_from_file_location(f"style_{name}_autoencoder", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.train_linear_autoencoder


def _variant(**options):
    return lambda X, k, lam, lr, epochs, seed: sgd(X, k, lam, lr, epochs, seed, **options)


CORRECT = {
    "reference": reference.train_linear_autoencoder,
    **{f"style {name}": _style(name) for name in ("loops", "vectorised", "staged", "quirky")},
    "normal start of size 1e-6": _variant(start=1e-6),
    "normal start of size 0.15": _variant(start=0.15),
    "uniform start in [-0.1, 0.1]": _variant(draw="uniform"),
    "all-positive start in [0, 0.1]": _variant(draw="positive"),
    "W1 updated first, W2's step uses it": _variant(w1_first=True),
}
WRONG = {
    "no weight decay": _variant(decay=0.0),
    "weight decay lam / n per step": lambda X, k, lam, lr, epochs, seed: sgd(
        X, k, lam, lr, epochs, seed, per_point_decay=1.0 / X.shape[1]),
    "weight decay lam W, not 2 lam W": _variant(decay=1.0),
    "reconstruction gradient without its 2": _variant(recon=1.0),
    "start of size 1": _variant(start=1.0),
    "zero start": _variant(start=0.0),
    "W2 never updated": _variant(update_w2=False),
    "ascent (W += lr grad)": _variant(sign=1.0),
}


def runs():
    """{name: (run, limits, checks)} for every training run the graded tests make."""
    found = {"visible": (visible.TRAINING, visible.LIMITS, CHECKS["visible"])}
    for name, run in hidden.RUNS.items():
        found[name] = (run, hidden.LIMITS[name], CHECKS[name])
    return found


def measure(train, run, seeds, epochs=None):
    """[(excess, distance, smallest singular value, ortho)] over the seeds; inf and 0 where training diverged."""
    X = visible.training_data(run["data_seed"], run["n"], run["spread"])
    out = []
    for seed in seeds:
        W1, W2 = (np.asarray(w, dtype=np.float64) for w in train(X.copy(), run["k"], run["lam"], run["lr"],
                                                                   epochs or run["epochs"], seed))
        finite = np.isfinite(W1).all() and np.isfinite(W2).all() and np.abs(W1).max() < 1e100 \
            and np.abs(W2).max() < 1e100
        out.append(visible.achieved(X, run["k"], run["lam"], W1, W2) if finite else (np.inf, np.inf, 0.0, np.inf))
    return np.array(out)


def failing(values, limits, checks):
    """Per seed: does the run fail one of its checks?"""
    return np.array([bool(visible.shortfalls(tuple(v), limits, checks)) for v in values])


def study(seeds, epochs=None, correct=CORRECT, wrong=WRONG, only=None):
    """{run: (worst correct values, {wrong variant: failing seeds}, correct failures)} for every run."""
    found = {}
    for name, (run, limits, checks) in runs().items():
        if only and name not in only:
            continue
        e = (epochs or {}).get(name)
        values = {v: measure(train, run, seeds, e) for v, train in correct.items()}
        stacked = np.concatenate(list(values.values()))
        worst = (stacked[:, 0].max(), stacked[:, 1].max(), stacked[:, 2].min(), stacked[:, 3].max())
        correct_failures = {v: int(failing(vals, limits, checks).sum()) for v, vals in values.items()}
        wrong_values = {v: measure(train, run, seeds, e) for v, train in wrong.items()}
        caught = {v: failing(vals, limits, checks) for v, vals in wrong_values.items()}
        closest = {v: float(vals[:, 0].min()) for v, vals in wrong_values.items()}
        found[name] = (worst, caught, correct_failures, closest)
    return found


def verdict(found, seeds, hidden_runs=("small", "large")):
    """(every correct variant passes everywhere, {wrong variant: seeds where no hidden run fails it})."""
    correct_ok = all(not any(r[2].values()) for r in found.values())
    escaped = {}
    for variant in WRONG:
        caught = np.zeros(len(seeds), dtype=bool)
        for name in hidden_runs:
            if name in found:
                caught |= found[name][1][variant]
        escaped[variant] = int((~caught).sum())
    return correct_ok, escaped


def report(found, seeds):
    lines = []
    for name, (worst, caught, correct_failures, closest) in found.items():
        run, limits, checks = runs()[name]
        steps = run["n"] * run["epochs"]
        lines.append(f"run {name!r}: m={len(run['spread'])}, n={run['n']}, k={run['k']}, lam={run['lam']}, "
                     f"lr={run['lr']}, epochs={run['epochs']} = {steps} steps; checks {', '.join(checks)}")
        lines.append(f"  worst correct over {len(seeds)} seeds x {len(CORRECT)} variants: "
                     f"loss {100 * worst[0]:.3g}% above the optimum (limit {100 * limits['excess']:g}%), "
                     f"subspace distance {worst[1]:.3g} (limit {limits['distance']:g}), smallest singular value "
                     f"{worst[2]:.3g} (limit {limits['singular']:g})"
                     + (f", ||W2^T W2 - I|| {worst[3]:.3g} (limit {limits['ortho']:g})" if "ortho" in checks else ""))
        bad = {v: n for v, n in correct_failures.items() if n}
        if bad:
            lines.append(f"  CORRECT VARIANTS FAILING: {bad}")
        lines.append("  wrong variants failing this run (seeds; the lowest loss above the optimum): " + ", ".join(
            f"{v} {int(c.sum())}/{len(seeds)} ({_percent(closest[v])})" for v, c in caught.items()))
    correct_ok, escaped = verdict(found, seeds)
    lines.append(f"every correct variant passes every run for every seed: {'yes' if correct_ok else 'NO'}")
    lines.append("every wrong variant fails a hidden run for every seed: "
                 + ("yes" if not any(escaped.values()) else f"NO {escaped}"))
    return "\n".join(lines)


def _percent(ratio):
    return "diverged" if not np.isfinite(ratio) else f"{100 * ratio:.3g}%"


def scaled(limits, factor):
    """The limits loosened by `factor` (tightened for factor < 1)."""
    return {"excess": limits["excess"] * factor, "distance": limits["distance"] * factor,
            "singular": limits["singular"] / factor, "ortho": limits.get("ortho", 1.0) * factor}


def separates(run, limits, checks, duty, epochs, seeds, room):
    """Whether, at this many epochs, every correct variant passes the limits tightened by `room` and every
    wrong variant in `duty` fails them loosened by `room`, on every seed."""
    for train in CORRECT.values():
        if failing(measure(train, run, seeds, epochs), scaled(limits, 1 / room), checks).any():
            return False
    return all(failing(measure(WRONG[v], run, seeds, epochs), scaled(limits, room), checks).all() for v in duty)


def scan(seeds, factors, room=1.5):
    """For each run, the fewest epochs (as fractions of the chosen ones) that still separate the correct
    variants from the wrong ones the run is responsible for (those it fails on every seed with room at
    the epochs chosen), with `room` to spare on both sides of every limit."""
    lines = []
    for name, (run, limits, checks) in runs().items():
        # The wrong variants this run catches with room, at the epochs chosen: the run answers for those.
        duty = [v for v, train in WRONG.items()
                if failing(measure(train, run, seeds), scaled(limits, room), checks).all()]
        smallest = None
        for factor in sorted(factors):
            epochs = max(1, round(run["epochs"] * factor))
            if separates(run, limits, checks, duty, epochs, seeds, room):
                smallest = epochs
                break
        fewest = f"{smallest} epochs ({run['n'] * smallest} steps)" if smallest else "none of those tried"
        lines.append(f"run {name!r}: chosen {run['epochs']} epochs ({run['n'] * run['epochs']} steps); the fewest "
                     f"that separate with {room}x room over {len(seeds)} seeds: {fewest}; it catches on every seed: "
                     f"{', '.join(duty) or 'nothing alone'}")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=100, help="training seeds per variant (default: %(default)s)")
    p.add_argument("--scan", action="store_true", help="also find the fewest epochs that still separate")
    args = p.parse_args(argv)
    seeds = list(range(1000, 1000 + args.seeds))
    start = time.perf_counter()
    print(report(study(seeds), seeds))
    if args.scan:
        print(scan(seeds, factors=[f / 10 for f in range(3, 11)]))
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
