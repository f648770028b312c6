"""Hypothesis strategies: a seed of one kind, then a few mutations described by small
numbers (so that a failure shrinks to the seed and the one mutation that matters)."""

from __future__ import annotations

from hypothesis import strategies as st

from executorch_lsp.engine.languages import LanguageId

from .corpus import seeds
from .mutations import MUTATION_NAMES, mutate

_mutation = st.tuples(
    st.sampled_from(MUTATION_NAMES),
    st.integers(min_value=0, max_value=1 << 16),
    st.binary(max_size=8),
)


@st.composite
def mutated_inputs(draw: st.DrawFn, kind: LanguageId | str) -> bytes:
    pool = [seed for seed in seeds() if seed.kind == kind]
    data = draw(st.sampled_from(pool)).data
    for name, position, payload in draw(st.lists(_mutation, min_size=1, max_size=4)):
        data = mutate(kind, data, name, position, payload)
    return data


def generated_text(kind: LanguageId | str) -> st.SearchStrategy[bytes]:
    """Text made from the words of the seeds of ``kind`` and punctuation: code-like input
    no seed resembles."""
    words = sorted(
        {word for seed in seeds() if seed.kind == kind for word in seed.data.split()[:200]}
    )
    pieces = st.sampled_from(words) | st.sampled_from(
        ["(", ")", "{", "}", "[", "]", ";", ",", "\n", "\r\n", '"', "'", "#", "//", "/*", "*/"]
    ).map(str.encode)
    return st.lists(pieces, max_size=60).map(b" ".join)
