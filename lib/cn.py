"""Chinese text helpers, free of Django: full-width forms, spaces."""

import unicodedata


def normalize_text(value: object) -> str:
    """NFKC (full-width digits, letters and spaces become ASCII), trimmed, inner runs of
    whitespace collapsed to one space."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())
