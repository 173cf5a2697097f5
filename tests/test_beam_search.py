"""Hidden tests for beam_search.py: the reference on seeded random language models (no ties between
scores), beam sizes at both ends, the ValueError, and decoder inputs on other sequences."""
import numpy as np

from autograder.testkit import match_reference_on, must_raise_on, student_file
from reference import beam_search as ref

bs = student_file("beam_search.py")

WORDS = ["the", "cat", "sat", "on", "mat", "dog"]


def random_model(rng, n_words, steps):
    """A model over n_words tokens for `steps` steps: a random next-token distribution for every
    prefix a search can reach, its tokens listed in a random order (so no decoder may rely on it)."""
    vocab = WORDS[:n_words]
    model = {}
    prefixes = [[]]
    for _ in range(steps):
        for prefix in prefixes:
            logits = rng.normal(0.0, rng.uniform(0.2, 4.0), n_words)
            log_probs = logits - np.log(np.sum(np.exp(logits)))
            order = rng.permutation(n_words)
            model[" ".join(prefix)] = {vocab[i]: float(log_probs[i]) for i in order}
        prefixes = [prefix + [word] for prefix in prefixes for word in vocab]
    return model


# (number of words, steps) of the random models.
SIZES = [(3, 4), (4, 3), (3, 5), (4, 4)]


def models(seed, beam_size=None):
    """The cases of _search_models(seed, beam_size), found once per process (a batch grader forks
    its children after importing this module, so they all share the search)."""
    key = (seed, beam_size)
    if key not in _MODELS:
        _MODELS[key] = list(_search_models(seed, beam_size))
    return _MODELS[key]


_MODELS = {}

# The first attempt that _qualifies, for each (seed, beam size, words, steps): a search from 0 tries
# up to 110 models for a case and cost every grading half a second, so it starts here.
# selftests/reference/test_graded_inputs.py checks that no earlier attempt qualifies.
FIRST_ATTEMPT = {
    (601, None, 3, 4): 1, (601, None, 4, 3): 3, (601, None, 3, 5): 0, (601, None, 4, 4): 0,
    (602, None, 3, 4): 6, (602, None, 4, 3): 2, (602, None, 3, 5): 1, (602, None, 4, 4): 1,
    (603, 2, 3, 4): 13, (603, 2, 4, 3): 103, (603, 2, 3, 5): 71, (603, 2, 4, 4): 8,
    (604, 3, 3, 4): 109, (604, 3, 4, 3): 41, (604, 3, 3, 5): 42, (604, 3, 4, 4): 34,
    (605, None, 3, 4): 2, (605, None, 4, 3): 0, (605, None, 3, 5): 1, (605, None, 4, 4): 2,
    (606, None, 3, 4): 0, (606, None, 4, 3): 1, (606, None, 3, 5): 0, (606, None, 4, 4): 0,
}


def _search_models(seed, beam_size=None, start=FIRST_ATTEMPT):
    """One random model of every size in which the greedy choice is not the best sequence (and, given a
    beam size, in which that beam finds neither the greedy nor the best sequence), so that each decoder
    must do its own search to get it right. Each attempt has a generator of its own, so a search can
    start at any attempt."""
    for n_words, steps in SIZES:
        attempt = start.get((seed, beam_size, n_words, steps), 0)
        while True:
            model = random_model(np.random.default_rng([seed, n_words, steps, attempt]), n_words, steps)
            if _qualifies(model, steps, beam_size):
                break
            attempt += 1
        yield f"a random model over {n_words} words, {steps} steps", model, steps, attempt


def _qualifies(model, steps, beam_size):
    best, greedy = ref.exhaustive_decode(model, steps)[0], ref.greedy_decode(model, steps)[0]
    beam = ref.beam_search(model, beam_size, steps)[0] if beam_size else None
    return best != greedy and (beam_size is None or beam not in (best, greedy))


@bs.grades("greedy_decode")
def test_greedy_decode_matches_the_reference_on_random_models():
    """greedy_decode: random models in which the greedy choice is not the best sequence"""
    match_reference_on(bs.greedy_decode, ref.greedy_decode,
                       [(case, (model, steps)) for case, model, steps, _ in models(601)],
                       names=("tokens", "score"))


@bs.grades("exhaustive_decode")
def test_exhaustive_decode_matches_the_reference_on_random_models():
    """exhaustive_decode: random models in which the greedy choice is not the best sequence"""
    match_reference_on(bs.exhaustive_decode, ref.exhaustive_decode,
                       [(case, (model, steps)) for case, model, steps, _ in models(602)],
                       names=("tokens", "score"))


@bs.grades("beam_search")
def test_beam_search_matches_the_reference_on_random_models():
    """beam_search: random models with beam sizes 2 and 3, where the beam finds neither the greedy nor the best sequence"""
    match_reference_on(bs.beam_search, ref.beam_search,
                       [(f"{case}, beam size {beam_size}", (model, beam_size, steps))
                        for beam_size, seed in ((2, 603), (3, 604))
                        for case, model, steps, _ in models(seed, beam_size)],
                       names=("tokens", "score"))


@bs.grades("beam_search")
def test_beam_search_of_size_one_is_greedy_decoding():
    """beam_search: a beam of size 1 finds the greedy sequence"""
    match_reference_on(bs.beam_search, lambda model, beam_size, steps: ref.greedy_decode(model, steps),
                       [(f"{case}, beam size 1", (model, 1, steps)) for case, model, steps, _ in models(605)],
                       names=("tokens", "score"))


@bs.grades("beam_search")
def test_beam_search_wider_than_every_step_is_exhaustive():
    """beam_search: a beam that can hold every sequence keeps all of them and finds the best one"""
    match_reference_on(bs.beam_search, lambda model, beam_size, steps: ref.exhaustive_decode(model, steps),
                       [(f"{case}, beam size {len(model) * 10}", (model, len(model) * 10, steps))
                        for case, model, steps, _ in models(606)], names=("tokens", "score"))


@bs.grades("beam_search")
def test_beam_search_raises_for_a_beam_size_below_one():
    """beam_search: ValueError for beam_size 0 and -1"""
    model = random_model(np.random.default_rng(607), 3, 2)
    must_raise_on(bs.beam_search, ValueError,
                  [(f"when beam_size is {beam_size}", (model, beam_size, 2)) for beam_size in (0, -1)])


# (target, generated) sequence pairs of different lengths, down to a lone <eos>.
SEQUENCES = [
    (["le", "chat", "dort", "<eos>"], ["le", "chien", "dort", "bien", "<eos>"]),
    (["a", "b", "c", "d", "e", "f", "<eos>"], ["a", "c", "<eos>"]),
    (["yes", "<eos>"], ["no", "<eos>"]),
    (["<eos>"], ["oops", "<eos>"]),
]


@bs.grades("decoder_inputs")
def test_decoder_inputs_feeds_the_target_when_training_and_the_output_at_inference():
    """decoder_inputs: other sequences of different lengths, in training and at inference"""
    match_reference_on(bs.decoder_inputs, ref.decoder_inputs,
                       [(f"{len(target)} target and {len(generated)} generated tokens, training={training}",
                         (target, generated, training))
                        for target, generated in SEQUENCES for training in (True, False)],
                       name="inputs")


# Every (seed, beam size) the tests above search, found at import so that a batch's forks share them.
SEARCHES = ((601, None), (602, None), (603, 2), (604, 3), (605, None), (606, None))
for _seed, _beam_size in SEARCHES:
    models(_seed, _beam_size)
