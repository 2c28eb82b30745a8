import pytest

from lib.params import MAX_ID, parse_id, parse_ids, parse_int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("１２", 12),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("99999999999999999999", None),
        ("9" * 5000, None),
        ("1e30", None),
        ("-1", None),
        ("0", None),
        ("1.5", None),
        ("", None),
        (None, None),
        ("٣", None),
    ],
)
def test_parse_id_accepts_only_whole_numbers_a_key_can_hold(
    value: str | None, expected: int | None
) -> None:
    assert parse_id(value) == expected


def test_parse_int_keeps_to_its_bounds() -> None:
    assert parse_int("0") == 0
    assert parse_int("200", maximum=200) == 200
    assert parse_int("201", maximum=200) is None
    assert parse_int("2147483648") is None


def test_parse_ids_drops_what_is_not_an_id() -> None:
    assert parse_ids(["3", "x", "99999999999999999999", "4"]) == [3, 4]
