from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tarwatch.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("26h", 93600), ("8d", 691200), ("1h30m", 5400), ("2w", 1209600), (" 5 m ", 300), (90, 90)],
)
def test_durations_people_write_are_read(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "5", "5x", "h", "1h-3m", "-5s", "5s3", True, -1])
def test_anything_else_is_refused_with_what_is_allowed(text):
    with pytest.raises(ValueError, match="26h"):
        parse_duration(text)


@given(st.integers(min_value=0, max_value=10**8))
def test_formatting_reads_back_exactly(seconds):
    d = timedelta(seconds=seconds)
    assert parse_duration(format_duration(d)) == d


def test_formatting_prefers_the_unit_people_used():
    assert format_duration(timedelta(hours=26)) == "26h"
    assert format_duration(timedelta(days=8)) == "8d"
    assert format_duration(timedelta(hours=50)) == "50h"


HUGE = ["9999999999d", "36526d", "9" * 5000 + "s", 10**30, 10**5000, float("inf"), float("nan"), 1e300, [1]]


@pytest.mark.parametrize("text", HUGE, ids=[str(i) for i in range(len(HUGE))])
def test_durations_beyond_100_years_or_not_numbers_are_a_value_error_never_an_overflow(text):
    with pytest.raises(ValueError, match=r"100 years|26h"):
        parse_duration(text)


def test_one_hundred_years_is_the_longest_duration():
    assert parse_duration("36525d") == parse_duration(36525 * 86400) == timedelta(days=36525)
