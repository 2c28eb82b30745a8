"""Chinese text helpers, free of Django: full-width forms, spaces, dates, phones, ID numbers.

The parsers take whatever a spreadsheet cell holds (text, int, float, date) and either return
the clean value or raise ValueError with a reason in Chinese that can be shown to the user.
None of them accept a blank value: deciding whether blank is allowed is the caller's business.
"""

import datetime as dt
import re
import unicodedata


def normalize_text(value: object) -> str:
    """NFKC (full-width digits, letters and spaces become ASCII), trimmed, inner runs of
    whitespace collapsed to one space."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


# --- numbers --------------------------------------------------------------------------------


def clean_number(value: object) -> str:
    """A code such as a 学工号 as text: 2020001.0 (a number cell) becomes "2020001",
    full-width digits become ASCII, spaces are dropped."""
    if isinstance(value, bool):
        raise ValueError("应为编号，不能是是/否值")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    text = normalize_text(value).replace(" ", "")
    if not text:
        raise ValueError("不能为空")
    return text


# --- dates ----------------------------------------------------------------------------------

# Excel's day 0 in the 1900 date system, allowing for its phantom 1900-02-29.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31

_DATE_RE = re.compile(
    r"""^(?P<y>\d{4})\s*(?:[-./年]\s*)(?P<m>\d{1,2})\s*(?:[-./月]\s*)(?P<d>\d{1,2})\s*日?
        (?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$""",
    re.VERBOSE,
)
_COMPACT_DATE_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")


def _make_date(year: int, month: int, day: int, shown: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"日期不存在：{shown}") from None


def parse_date(value: object) -> dt.date:
    """A date from a cell: a date or datetime object, an Excel serial number, or text written
    2020-02-23, 2020.2.23, 2020/2/23, 2020年2月23日 or 20200223."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError("无法识别的日期")
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            value = int(value)  # a datetime serial: keep the day
        number = int(value)
        if 10_000_000 <= number <= 99_999_999:
            return parse_date(str(number))
        if 1 <= number <= _EXCEL_MAX_SERIAL:
            return _EXCEL_EPOCH + dt.timedelta(days=number)
        raise ValueError(f"无法识别的日期：{value}")
    text = normalize_text(value)
    if not text:
        raise ValueError("日期为空")
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if match is None:
        raise ValueError(f"无法识别的日期：{text}（请写成 2020-02-23）")
    return _make_date(int(match["y"]), int(match["m"]), int(match["d"]), text)


EARLIEST_DATE = dt.date(1900, 1, 1)


def check_past_date(day: dt.date, *, today: dt.date) -> dt.date:
    """A date of something that has happened: not after `today`, not before 1900."""
    if day < EARLIEST_DATE:
        raise ValueError(f"日期不能早于 1900 年：{day.isoformat()}")
    if day > today:
        raise ValueError(f"日期不能晚于今天（{today.isoformat()}）：{day.isoformat()}")
    return day


def check_not_before(day: dt.date, latest: dt.date | None, what: str) -> dt.date:
    """A dated change that does not run a history backwards: not before the latest one."""
    if latest is not None and day < latest:
        raise ValueError(f"日期不能早于{what}（{latest.isoformat()}）")
    return day


# --- phones ---------------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_NOISE_RE = re.compile(r"[\s\-()（）.]")


def clean_phone(value: object) -> str:
    """An 11-digit mainland mobile number: spaces, dashes and brackets dropped, a +86, 0086 or
    86 prefix removed. Anything else is refused."""
    text = clean_number(value) if isinstance(value, int | float) else normalize_text(value)
    text = _PHONE_NOISE_RE.sub("", text)
    if not text:
        raise ValueError("手机号为空")
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix) :]
            break
    if not _MOBILE_RE.match(text):
        raise ValueError("手机号格式不正确，应为 11 位大陆手机号码")
    return text


# --- ID numbers (GB 11643-1999) -------------------------------------------------------------

_ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_ID_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character (0-9 or X) for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("身份证号前 17 位应为数字")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def check_id_number(value: object) -> str:
    """An 18-character resident ID number, upper-cased, whose check character is right."""
    if isinstance(value, float):
        # 18 digits do not survive a float; the cell lost precision before it reached us.
        raise ValueError("身份证号被存成了数字，已丢失精度，请将该列设为文本后重新填写")
    text = normalize_text(value).replace(" ", "").upper()
    if not text:
        raise ValueError("身份证号为空")
    if len(text) != 18:
        raise ValueError(f"身份证号应为 18 位，实为 {len(text)} 位")
    if not _ID_RE.match(text):
        raise ValueError("身份证号只能包含数字，最后一位可以是 X")
    if id_check_digit(text[:17]) != text[17]:
        raise ValueError("身份证号校验位不正确")
    return text
