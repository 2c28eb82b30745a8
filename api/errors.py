"""Chinese words for request validation errors (pydantic's own messages are English)."""

from typing import Any

_PLAIN = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "string_unicode": "应为文本",
    "date_parsing": "应为日期（如 2020-07-31）",
    "date_from_datetime_parsing": "应为日期（如 2020-07-31）",
    "date_type": "应为日期（如 2020-07-31）",
    "datetime_parsing": "应为日期时间（如 2020-07-31T23:59）",
    "datetime_from_date_parsing": "应为日期时间（如 2020-07-31T23:59）",
    "datetime_type": "应为日期时间（如 2020-07-31T23:59）",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "uuid_parsing": "应为 UUID",
    "uuid_type": "应为 UUID",
    "extra_forbidden": "不接受此字段",
    "finite_number": "应为有限的数",
}

_WITH_CONTEXT = {
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "应小于 {lt}",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
}


def field_name(error: dict[str, Any]) -> str:
    """The field a pydantic error is about: its location without where it came from
    (query, path, body) and without the body's parameter name."""
    loc = [str(p) for p in error.get("loc", ())][1:]
    if loc and loc[0] == "payload":
        loc = loc[1:]
    return ".".join(loc)


def message(error: dict[str, Any]) -> str:
    """One Chinese sentence for a pydantic error."""
    kind = str(error.get("type", ""))
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind in _WITH_CONTEXT:
        context = {k: _shown(v) for k, v in (error.get("ctx") or {}).items()}
        try:
            return _WITH_CONTEXT[kind].format(**context)
        except KeyError:
            pass
    if kind == "value_error":
        # Our own validators raise ValueError with a Chinese reason.
        text = str((error.get("ctx") or {}).get("error", ""))
        if text and not text.isascii():
            return text
    return "格式不正确"


def _shown(value: Any) -> str:
    text = str(value)
    # pydantic lists choices as "'a', 'b' or 'c'".
    return text.replace("' or '", "'、'").replace("', '", "'、'").replace("'", "")
