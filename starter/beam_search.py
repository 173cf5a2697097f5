"""Decoding a language model: greedy search, exhaustive search and beam search.

A language model over fixed-length outputs is a dict `model` that maps a prefix,
written as its tokens joined by single spaces ("" for the empty prefix,
"deep learn" for two tokens), to a dict {token: log_probability} of the next
token. A sequence's score is the sum of its tokens' log-probabilities.

Ties: when two candidates have the same score, the one whose token list comes
first alphabetically (compared token by token) wins. Never modify the model.
"""

import math

# The course's worked example: two words, three steps. Each next-token
# distribution is given by its probabilities; the model holds their logarithms.
EXAMPLE_MODEL = {
    "": {"deep": math.log(0.58), "learn": math.log(0.42)},
    "deep": {"deep": math.log(0.65), "learn": math.log(0.35)},
    "learn": {"deep": math.log(0.05), "learn": math.log(0.95)},
    "deep deep": {"deep": math.log(0.90), "learn": math.log(0.10)},
    "deep learn": {"deep": math.log(0.30), "learn": math.log(0.70)},
    "learn deep": {"deep": math.log(0.60), "learn": math.log(0.40)},
    "learn learn": {"deep": math.log(0.95), "learn": math.log(0.05)},
}


def greedy_decode(model, steps):
    """Greedy decoding: pick the most likely next token at every step.

    model: the language model (see the module docstring).  steps: int >= 0.
    Returns (tokens, score): a list of `steps` strings and its score (a float).
    """
    raise NotImplementedError


def exhaustive_decode(model, steps):
    """The highest-scoring sequence of `steps` tokens, over all sequences.

    model: the language model (see the module docstring).  steps: int >= 0.
    Returns (tokens, score): a list of `steps` strings and its score (a float).
    """
    raise NotImplementedError


def beam_search(model, beam_size, steps):
    """Beam search: keep the `beam_size` best prefixes after every step.

    While there are fewer candidates than beam_size, all of them are kept.
    model: the language model (see the module docstring).  beam_size: int >= 1
    (otherwise ValueError).  steps: int >= 0.
    Returns (tokens, score) of the best complete sequence in the final beam: a
    list of `steps` strings and its score (a float).
    """
    raise NotImplementedError


def decoder_inputs(target, generated, training):
    """The tokens fed to a sequence-to-sequence decoder, one per step.

    target: list of strings, the reference output (ending in "<eos>").
    generated: list of strings, the model's own output (ending in "<eos>").
    training: bool; True means teacher forcing.
    Returns a list of strings: "<sos>" followed by all but the last token of
    `target` when training, of `generated` otherwise.
    """
    raise NotImplementedError
