"""Reading numbers that a person (or a prober) typed into a query string or a form, free of
Django. Anything that is not a plain whole number in range reads as "not given", so a huge
`?page=99999999999999999999` or `?org=1e30` can never reach the database."""

import datetime as dt
import unicodedata

# The largest id a database key holds (PostgreSQL bigint, SQLite INTEGER).
MAX_ID = 2**63 - 1
# The largest count a form accepts where the column is a 32-bit integer.
MAX_INT32 = 2**31 - 1


def parse_int(value: object, *, minimum: int = 0, maximum: int = MAX_INT32) -> int | None:
    """A whole number written in ASCII or full-width digits, within [minimum, maximum];
    None for anything else (blank, signs, decimals, exponents, out of range)."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text or len(text) > 20 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int | None:
    """A database id (1 … 2^63-1) or None."""
    return parse_int(value, minimum=1, maximum=MAX_ID)


def parse_ids(values: list[str]) -> list[int]:
    """The ids among `values`, in order; anything else is dropped."""
    return [n for n in (parse_id(v) for v in values) if n is not None]


def parse_day(value: object) -> dt.date | None:
    """A day written as 2026-03-01 (ISO), or None for anything else."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if len(text) != 10:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
