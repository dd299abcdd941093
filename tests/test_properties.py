"""Property-based tests (hypothesis): the normaliser and the filters take any input without crashing, and
anything the filter parser accepts is a valid Filters value; bad input only ever raises FilterError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.filters import FilterError, Filters
from rag.normalize import canonical_entities, normalize
from rag.lexical import tokenize

FILTER_NAMES = ["category", "cancer_type", "drug", "cargo", "exosome_source", "target", "year", "year_min",
                "year_max", "retracted", "colour", "", "drug\x00"]
VALUES = st.one_of(st.none(), st.text(max_size=300), st.integers(), st.floats(allow_nan=True), st.booleans(),
                   st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                   st.integers(min_value=10**20, max_value=10**30))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_normaliser_takes_any_text(text: str) -> None:
    assert isinstance(normalize(text), str)
    assert all(isinstance(t, str) and t for t in tokenize(text))
    assert all(isinstance(e, str) for e in canonical_entities(text))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FILTER_NAMES), VALUES, max_size=5))
def test_filter_parser_accepts_valid_values_and_rejects_the_rest_cleanly(values: dict) -> None:
    try:
        parsed = Filters.from_mapping(values)
    except FilterError:
        return
    assert isinstance(parsed, Filters)
    assert parsed.retracted in ("include", "exclude", "only")
    assert parsed.year_min is None or isinstance(parsed.year_min, int)
    where = parsed.where()
    assert where is None or isinstance(where, dict)
    assert parsed.matches({"category": "x", "year": 2020, "retracted": False}) in (True, False)
