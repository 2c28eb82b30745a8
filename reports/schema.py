"""A report form's schema, and the ordinary Django form it is rendered as.

A schema is `{"fields": [field, ...]}`; a field is a dict:

    name      a-z, 0-9 and _, starting with a letter, unique in the form
    label     what the member reads (中文)
    kind      number | text | choice | multi | date | temperature | yesno | location | file
    required  true / false
    help      help text under the field
    daily     true for what changes every day (temperature, today's place, test dates): a
              copied report leaves it empty and the member must enter it again
    min, max  limits of a number or a temperature
    max_length  of a text (default 500); multiline: a text area
    choices   the options of a choice or multi (at least one, no repeats)
    images_only  a file field that takes pictures only
    show_if   {"field": an earlier field's name, "value": "…"}: the field is asked (and
              checked) only when that field's answer is the value (a multi: contains it; a
              yes/no: "是" or "否")

Answers are kept as JSON: a number or a temperature as a number, a date as "YYYY-MM-DD", a
yes/no as true/false, a multi as a list, a location as {"province", "city"}, a file as
{"name", "path"}.
"""

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from django import forms

KINDS = {
    "number": "数字",
    "text": "文字",
    "choice": "单选",
    "multi": "多选",
    "date": "日期",
    "temperature": "体温",
    "yesno": "是/否",
    "location": "所在地（省/市）",
    "file": "图片或文件",
}
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")
TEXT_MAX = 500
FILE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic")
YES, NO = "是", "否"
REQUIRED = "请填写此项。"
PROVINCES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省",
    "上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省",
    "湖南省", "广东省", "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省",
    "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区",
    "台湾省", "香港特别行政区", "澳门特别行政区", "境外",
]  # fmt: skip
KEYS = {
    "name",
    "label",
    "kind",
    "required",
    "help",
    "daily",
    "min",
    "max",
    "max_length",
    "multiline",
    "choices",
    "images_only",
    "show_if",
}


# --- the schema itself ---------------------------------------------------------------------


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _field_errors(f: Any, i: int, earlier: dict[str, dict[str, Any]]) -> list[str]:
    if not isinstance(f, dict):
        return [f"第 {i} 个字段应是一个对象。"]
    where = f"第 {i} 个字段"
    errors = []
    name, kind, label = f.get("name"), f.get("kind"), f.get("label")
    if not isinstance(name, str) or not NAME.match(name):
        errors.append(f"{where}的 name 只能用小写字母、数字和下划线，并以字母开头（至多 40 个）。")
    elif name in earlier:
        errors.append(f"{where}的 name「{name}」重复了。")
    else:
        where = f"字段「{name}」"
    if not isinstance(label, str) or not label.strip() or len(label) > 50:
        errors.append(f"{where}需要 label（1–50 个字）。")
    if kind not in KINDS:
        errors.append(f"{where}的 kind 应是 {'、'.join(KINDS)} 之一。")
    unknown = sorted(set(f) - KEYS)
    if unknown:
        errors.append(f"{where}有不认识的设置：{'、'.join(unknown)}。")
    for flag in ("required", "daily", "multiline", "images_only"):
        if flag in f and not isinstance(f[flag], bool):
            errors.append(f"{where}的 {flag} 应为 true 或 false。")
    if "help" in f and not isinstance(f["help"], str):
        errors.append(f"{where}的 help 应是文字。")
    for limit in ("min", "max"):
        if limit in f and (kind not in ("number", "temperature") or not _is_number(f[limit])):
            errors.append(f"{where}的 {limit} 只用于数字或体温，且应是数字。")
    if _is_number(f.get("min")) and _is_number(f.get("max")) and f["min"] > f["max"]:
        errors.append(f"{where}的 min 大于 max。")
    if "max_length" in f and (
        kind != "text"
        or not isinstance(f["max_length"], int)
        or isinstance(f["max_length"], bool)
        or not 1 <= f["max_length"] <= 4000
    ):
        errors.append(f"{where}的 max_length 只用于文字，且应在 1–4000 之间。")
    if kind in ("choice", "multi"):
        choices = f.get("choices")
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, str) and c.strip() and len(c) <= 100 for c in choices)
        ):
            errors.append(f"{where}需要 choices：至少一个选项，每个选项是 1–100 个字。")
        elif len(set(choices)) != len(choices):
            errors.append(f"{where}的选项有重复。")
    elif "choices" in f:
        errors.append(f"{where}的 choices 只用于单选或多选。")
    if "show_if" in f:
        cond = f["show_if"]
        if (
            not isinstance(cond, dict)
            or set(cond) != {"field", "value"}
            or not isinstance(cond["value"], str)
        ):
            errors.append(f'{where}的 show_if 应写成 {{"field": "…", "value": "…"}}。')
        elif cond["field"] not in earlier:
            errors.append(f"{where}的 show_if 应引用它前面的字段。")
        elif earlier[cond["field"]].get("kind") == "file":
            errors.append(f"{where}的 show_if 不能引用文件字段。")
    return errors


def schema_errors(schema: Any) -> list[str]:
    """What is wrong with a schema, in Chinese; an empty list when it can be used."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return ['表单定义应是 {"fields": [...]} 的形式。']
    fields = schema["fields"]
    if not fields:
        return ["表单至少需要一个字段。"]
    if len(fields) > 60:
        return ["表单的字段不能超过 60 个。"]
    errors: list[str] = []
    earlier: dict[str, dict[str, Any]] = {}
    for i, f in enumerate(fields, start=1):
        errors += _field_errors(f, i, earlier)
        if isinstance(f, dict) and isinstance(f.get("name"), str):
            earlier.setdefault(f["name"], f)
    return errors


# --- answers -------------------------------------------------------------------------------


def as_text(value: Any) -> str:
    """An answer as a member reads it."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        if "path" in value:
            return str(value.get("name", ""))
        return " ".join(str(value.get(k, "")) for k in ("province", "city")).strip()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def condition_met(cond: dict[str, str] | None, answers: dict[str, Any]) -> bool:
    if not cond:
        return True
    value = answers.get(cond["field"])
    if isinstance(value, list):
        return cond["value"] in value
    return as_text(value) == cond["value"]


def is_empty(value: Any) -> bool:
    if isinstance(value, dict) and "province" in value:
        return not value.get("province")
    return value is None or value == "" or value == [] or value == {}


def to_json(kind: str, value: Any) -> Any:
    """A cleaned form value as it is kept in the report's answers (files are saved apart)."""
    if value is None or value == "" or value == []:
        return None
    if kind in ("number", "temperature"):
        return float(value)
    if kind == "date":
        return value.isoformat()
    if kind == "yesno":
        return value == YES
    if kind == "multi":
        return list(value)
    return value


def to_initial(kind: str, value: Any) -> Any:
    """A kept answer as a form's initial value."""
    if value is None:
        return None
    if kind == "yesno":
        return YES if value else NO
    if kind == "date":
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
    if kind == "location" and isinstance(value, dict):
        return [value.get("province", ""), value.get("city", "")]
    if kind == "file":
        return None
    return value


def display_rows(fields: list[dict[str, Any]], answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, answer) for each field asked, in order."""
    return [
        (f["label"], as_text(answers.get(f["name"])) or "—")
        for f in fields
        if condition_met(f.get("show_if"), answers)
    ]


# --- the Django form -----------------------------------------------------------------------


class LocationWidget(forms.MultiWidget):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            [
                forms.Select(
                    attrs={"class": "form-select mb-1"},
                    choices=[("", "（省份）"), *((p, p) for p in PROVINCES)],
                ),
                forms.TextInput(attrs={"class": "form-control", "placeholder": "城市（区县）"}),
            ],
            attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [value.get("province", ""), value.get("city", "")]
        return value or ["", ""]


class LocationField(forms.MultiValueField):
    widget = LocationWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (
            forms.ChoiceField(choices=[(p, p) for p in PROVINCES], required=False),
            forms.CharField(max_length=50, required=False),
        )
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> dict[str, str] | None:
        if not data_list:
            return None
        province, city = [*data_list, "", ""][:2]
        if not province and not city:
            return None
        if not province:
            raise forms.ValidationError("请选择省份。")
        return {"province": province, "city": (city or "").strip()}


class TemperatureField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 4)
        kwargs.setdefault("decimal_places", 1)
        super().__init__(**kwargs)


def _django_field(f: dict[str, Any]) -> forms.Field:
    kind = f["kind"]
    common: dict[str, Any] = {
        "label": f["label"],
        "required": False,
        "help_text": f.get("help", ""),
    }
    if f.get("daily"):
        common["help_text"] = " ".join(
            p for p in (common["help_text"], "（每日变化，需每天填写）") if p
        )
    control = {"class": "form-control"}
    if kind == "number":
        return forms.FloatField(
            min_value=f.get("min"),
            max_value=f.get("max"),
            widget=forms.NumberInput(attrs={**control, "step": "any", "inputmode": "decimal"}),
            **common,
        )
    if kind == "temperature":
        low = Decimal(str(f["min"])) if "min" in f else TEMPERATURE_MIN
        high = Decimal(str(f["max"])) if "max" in f else TEMPERATURE_MAX
        return TemperatureField(
            min_value=low,
            max_value=high,
            widget=forms.NumberInput(
                attrs={**control, "step": "0.1", "inputmode": "decimal", "placeholder": "℃"}
            ),
            **common,
        )
    if kind == "text":
        widget = forms.Textarea(attrs={**control, "rows": 3}) if f.get("multiline") else None
        return forms.CharField(
            max_length=f.get("max_length", TEXT_MAX),
            widget=widget or forms.TextInput(attrs=control),
            **common,
        )
    if kind == "choice":
        return forms.ChoiceField(
            choices=[(c, c) for c in f["choices"]], widget=forms.RadioSelect, **common
        )
    if kind == "multi":
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in f["choices"]], widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == "date":
        return forms.DateField(
            widget=forms.DateInput(attrs={**control, "type": "date"}, format="%Y-%m-%d"),
            **common,
        )
    if kind == "yesno":
        return forms.ChoiceField(choices=[(YES, YES), (NO, NO)], widget=forms.RadioSelect, **common)
    if kind == "location":
        return LocationField(**common)
    if kind == "file":
        accept = "image/*" if f.get("images_only") else None
        attrs = {**control, **({"accept": accept} if accept else {})}
        return forms.FileField(widget=forms.FileInput(attrs=attrs), **common)
    raise ValueError(kind)


def _form_field(f: dict[str, Any]) -> forms.Field:
    """A schema field as the form's field, with the data- attributes reports.js reads."""
    field = _django_field(f)
    if cond := f.get("show_if"):
        field.widget.attrs["data-show-if"] = cond["field"]
        field.widget.attrs["data-show-value"] = cond["value"]
    if f.get("daily"):
        field.widget.attrs["data-daily"] = "1"
    return field


# Form classes by schema (its JSON text): a version's schema never changes, so the morning
# rush builds each form's fields once per process, not on every submit.
_CLASSES: dict[str, type["AnswerForm"]] = {}
_CLASSES_MAX = 64


class AnswerForm(forms.Form):
    """A schema rendered as a form. Every field is optional to Django; `clean` then asks the
    fields whose condition holds, in order, and requires the required ones (and, on a copied
    report, the daily ones).

    `AnswerForm.of(fields)(data, …)` is the same form from a class built once per schema;
    `AnswerForm(data, fields=…)` builds its fields each time."""

    spec: list[dict[str, Any]] = []

    def __init__(
        self,
        *args: Any,
        fields: list[dict[str, Any]] | None = None,
        copied: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.copied = copied
        if fields is not None:
            self.spec = fields
            for f in fields:
                self.fields[f["name"]] = _form_field(f)

    @classmethod
    def of(cls, fields: list[dict[str, Any]]) -> type["AnswerForm"]:
        """The form class for these schema fields, built once per process and schema."""
        key = json.dumps(fields, sort_keys=True, ensure_ascii=False)
        made = _CLASSES.get(key)
        if made is None:
            made = type("SchemaAnswerForm", (cls,), {"spec": fields})
            made.base_fields = {f["name"]: _form_field(f) for f in fields}
            if len(_CLASSES) >= _CLASSES_MAX:
                _CLASSES.clear()
            _CLASSES[key] = made
        return made

    def conditions(self) -> list[dict[str, str]]:
        """For reports.js: which field shows when which earlier field has which value."""
        return [
            {"name": f["name"], "field": f["show_if"]["field"], "value": f["show_if"]["value"]}
            for f in self.spec
            if f.get("show_if")
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        asked: dict[str, Any] = {}
        for f in self.spec:
            name = f["name"]
            if not condition_met(f.get("show_if"), asked):
                cleaned.pop(name, None)
                if name in self.errors:
                    del self.errors[name]
                continue
            value = to_json(f["kind"], cleaned.get(name))
            asked[name] = value
            must = f.get("required") or (self.copied and f.get("daily"))
            if must and is_empty(value) and name not in self.errors:
                self.add_error(name, REQUIRED)
        self.asked = asked
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The answers as JSON (files still as uploaded files, saved by the service)."""
        return {k: v for k, v in self.asked.items() if not is_empty(v)}


def initial_from(
    fields: list[dict[str, Any]], answers: dict[str, Any], *, skip_daily: bool
) -> dict[str, Any]:
    """A form's initial values from an earlier report, leaving out what changes daily."""
    initial = {}
    for f in fields:
        if skip_daily and f.get("daily"):
            continue
        value = to_initial(f["kind"], answers.get(f["name"]))
        if value is not None:
            initial[f["name"]] = value
    return initial
