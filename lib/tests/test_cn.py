import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.cn import (
    check_id_number,
    clean_number,
    clean_phone,
    id_check_digit,
    normalize_text,
    parse_date,
)

# --- normalize_text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("  张三  ", "张三"),
        ("２０２０００１", "2020001"),
        ("计算机\u3000学院", "计算机 学院"),
        ("a \t\n b", "a b"),
        (12, "12"),
    ],
)
def test_normalize_text(value: object, expected: str) -> None:
    assert normalize_text(value) == expected


# --- clean_number ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2020001.0, "2020001"),
        (2020001, "2020001"),
        ("２０２０００１", "2020001"),
        (" 2020 001 ", "2020001"),
        ("A0001", "A0001"),
        (12.5, "12.5"),
    ],
)
def test_clean_number(value: object, expected: str) -> None:
    assert clean_number(value) == expected


@pytest.mark.parametrize("value", ["", "   ", True])
def test_clean_number_refuses(value: object) -> None:
    with pytest.raises(ValueError):
        clean_number(value)


# --- parse_date -----------------------------------------------------------------------------

FEB_23 = dt.date(2020, 2, 23)


@pytest.mark.parametrize(
    "value",
    [
        "2020-02-23",
        "2020-2-23",
        "2020.2.23",
        "2020/2/23",
        "2020/02/23",
        "2020年2月23日",
        "2020 年 2 月 23 日",
        "２０２０年２月２３日",
        "20200223",
        "2020-02-23 00:00:00",
        " 2020-02-23 ",
        dt.date(2020, 2, 23),
        dt.datetime(2020, 2, 23, 9, 30),
        43884,  # Excel serial number
        43884.0,
        43884.375,  # a serial with a time of day
        20200223,
    ],
)
def test_parse_date_accepts(value: object) -> None:
    assert parse_date(value) == FEB_23


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2021-02-30", "日期不存在"),
        ("2021年13月1日", "日期不存在"),
        ("2020.2.23.1", "无法识别的日期"),
        ("去年", "无法识别的日期"),
        ("23/2/2020", "无法识别的日期"),
        ("", "日期为空"),
        (-5, "无法识别的日期"),
        (True, "无法识别的日期"),
    ],
)
def test_parse_date_refuses(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date(value)


# --- clean_phone ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-13800138000",
        "008613800138000",
        "8613800138000",
        "１３８００１３８０００",
        13800138000,
        13800138000.0,
        "(138)00138000",
    ],
)
def test_clean_phone_accepts(value: object) -> None:
    assert clean_phone(value) == "13800138000"


@pytest.mark.parametrize(
    "value",
    [
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "12800138000",  # second digit 2
        "010-12345678",  # a landline
        "138OO138000",  # letters
        "+1 13800138000",
        "",
    ],
)
def test_clean_phone_refuses(value: object) -> None:
    with pytest.raises(ValueError):
        clean_phone(value)


# --- check_id_number (GB 11643) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        (" 110105 19491231 002X ", "11010519491231002X"),
        ("440524188001010014", "440524188001010014"),
    ],
)
def test_check_id_number_accepts(value: object, expected: str) -> None:
    assert check_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "校验位不正确"),
        ("440524188001010015", "校验位不正确"),
        ("11010519491231002", "应为 18 位"),  # 17
        ("110105491231002", "应为 18 位"),  # an old 15-digit number
        ("1101051949123100211", "应为 18 位"),
        ("11010519491231X02X", "只能包含数字"),
        (110105194912310020.0, "精度"),
        ("", "为空"),
    ],
)
def test_check_id_number_refuses(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_id_number(value)


digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)


@given(digits17)
def test_id_with_its_check_digit_is_accepted(first17: str) -> None:
    number = first17 + id_check_digit(first17)
    assert check_id_number(number) == number
    assert check_id_number(number.lower()) == number


@given(digits17, st.sampled_from("0123456789X"))
def test_id_with_any_other_check_digit_is_refused(first17: str, last: str) -> None:
    if last == id_check_digit(first17):
        return
    with pytest.raises(ValueError, match="校验位"):
        check_id_number(first17 + last)


@given(digits17, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_breaks_the_check(first17: str, position: int, delta: int) -> None:
    """GB 11643's weights make every single-digit error detectable."""
    number = first17 + id_check_digit(first17)
    changed = str((int(number[position]) + delta) % 10)
    typo = number[:position] + changed + number[position + 1 :]
    with pytest.raises(ValueError):
        check_id_number(typo)


def test_check_past_date_refuses_the_future_and_before_1900() -> None:
    from lib.cn import check_past_date

    today = dt.date(2020, 3, 1)
    assert check_past_date(dt.date(1900, 1, 1), today=today) == dt.date(1900, 1, 1)
    assert check_past_date(today, today=today) == today
    with pytest.raises(ValueError, match="1900"):
        check_past_date(dt.date(1899, 12, 31), today=today)
    with pytest.raises(ValueError, match="晚于今天"):
        check_past_date(dt.date(2020, 3, 2), today=today)


def test_check_not_before_keeps_a_history_in_order() -> None:
    from lib.cn import check_not_before

    assert check_not_before(dt.date(2020, 2, 1), None, "上次去向变更") == dt.date(2020, 2, 1)
    assert check_not_before(dt.date(2020, 2, 1), dt.date(2020, 2, 1), "x") == dt.date(2020, 2, 1)
    with pytest.raises(ValueError, match="上次去向变更（2020-02-10）"):
        check_not_before(dt.date(2020, 2, 1), dt.date(2020, 2, 10), "上次去向变更")
