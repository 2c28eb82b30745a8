"""Whatever the schema, a valid answer is accepted and an invalid one refused with the
field's reason (hypothesis over generated schemas)."""

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.builtin import READY_MADE
from reports.schema import PROVINCES, REQUIRED, AnswerForm, schema_errors

LABEL = st.text(alphabet="体温症状去向行程思想工作日期是否", min_size=1, max_size=8)
CHOICES = st.lists(
    st.text(alphabet="甲乙丙丁戊己", min_size=1, max_size=3), min_size=1, max_size=5, unique=True
)


@st.composite
def field_spec(draw: Any, name: str) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            ["number", "text", "choice", "multi", "date", "temperature", "yesno", "location"]
        )
    )
    f: dict[str, Any] = {"name": name, "label": draw(LABEL), "kind": kind}
    f["required"] = draw(st.booleans())
    if kind == "number":
        low = draw(st.integers(-1000, 1000))
        f["min"], f["max"] = low, low + draw(st.integers(0, 1000))
    if kind == "text":
        f["max_length"] = draw(st.integers(1, 50))
    if kind in ("choice", "multi"):
        f["choices"] = draw(CHOICES)
    return f


@st.composite
def schemas(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(1, 6))
    fields = [draw(field_spec(f"f{i}")) for i in range(n)]
    for i, f in enumerate(fields[1:], start=1):
        parent = fields[draw(st.integers(0, i - 1))]
        if parent["kind"] in ("choice", "yesno") and draw(st.booleans()):
            value = draw(st.sampled_from(parent.get("choices", ["是", "否"])))
            f["show_if"] = {"field": parent["name"], "value": value}
    return {"fields": fields}


def valid_value(draw: Any, f: dict[str, Any]) -> dict[str, Any]:
    """Form data answering one field validly."""
    kind, name = f["kind"], f["name"]
    if kind == "number":
        return {name: str(draw(st.integers(f["min"], f["max"])))}
    if kind == "temperature":
        return {name: f"{draw(st.integers(350, 420)) / 10:.1f}"}
    if kind == "text":
        return {name: draw(st.text(alphabet="好的很", min_size=1, max_size=f["max_length"]))}
    if kind == "choice":
        return {name: draw(st.sampled_from(f["choices"]))}
    if kind == "multi":
        return {name: draw(st.lists(st.sampled_from(f["choices"]), min_size=1, unique=True))}
    if kind == "date":
        return {
            name: (dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(0, 600)))).isoformat()
        }
    if kind == "yesno":
        return {name: draw(st.sampled_from(["是", "否"]))}
    return {f"{name}_0": draw(st.sampled_from(PROVINCES)), f"{name}_1": "某市"}


def invalid_value(f: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Form data answering one field wrongly, and a word its reason contains."""
    kind, name = f["kind"], f["name"]
    if kind == "number":
        return {name: str(f["max"] + 1)}, str(f["max"])
    if kind == "temperature":
        return {name: "45.0"}, "43"
    if kind == "text":
        return {name: "长" * (f["max_length"] + 1)}, str(f["max_length"])
    if kind in ("choice", "yesno"):
        return {name: "不存在的选项"}, "选择"
    if kind == "multi":
        return {name: ["不存在的选项"]}, "选择"
    if kind == "date":
        return {name: "2026-13-45"}, "日期"
    return {f"{name}_0": "火星", f"{name}_1": "x"}, "选择"


def _asked(fields: list[dict[str, Any]], data: dict[str, Any]) -> set[str]:
    asked: set[str] = set()
    for f in fields:
        cond = f.get("show_if")
        if cond is None or (cond["field"] in asked and data.get(cond["field"]) == cond["value"]):
            asked.add(f["name"])
    return asked


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), schema=schemas())
def test_generated_schemas_take_valid_answers_and_refuse_invalid_ones(
    data: Any, schema: dict[str, Any]
) -> None:
    assert schema_errors(schema) == []
    fields = schema["fields"]
    answers: dict[str, Any] = {}
    for f in fields:
        answers |= valid_value(data.draw, f)
    form = AnswerForm(answers, fields=fields)
    assert form.is_valid(), form.errors
    asked = _asked(fields, answers)
    assert set(form.answers()) == asked

    # One asked field answered wrongly: refused, with that field's reason.
    target = data.draw(st.sampled_from(sorted(asked)))
    f = next(x for x in fields if x["name"] == target)
    bad, reason = invalid_value(f)
    broken = {k: v for k, v in answers.items() if k != target and not k.startswith(f"{target}_")}
    # (The page's form class, built once per schema, answers the same as a form built anew.)
    form = AnswerForm.of(fields)(broken | bad)
    assert not form.is_valid()
    assert reason in " ".join(str(e) for e in form.errors[target]), form.errors

    # A required asked field left empty: refused as required.
    required = sorted(n for n in asked if next(x for x in fields if x["name"] == n)["required"])
    if required:
        name = data.draw(st.sampled_from(required))
        empty = {k: v for k, v in answers.items() if k != name and not k.startswith(f"{name}_")}
        form = AnswerForm(empty, fields=fields)
        assert not form.is_valid()
        assert REQUIRED in form.errors[name]


def test_the_ready_made_forms_are_valid_schemas() -> None:
    for _, _, schema in READY_MADE:
        assert schema_errors(schema) == []


def test_a_field_hidden_by_its_condition_is_not_checked() -> None:
    fields = [
        {"name": "left", "label": "是否离开", "kind": "yesno", "required": True},
        {
            "name": "trip",
            "label": "行程",
            "kind": "text",
            "required": True,
            "max_length": 3,
            "show_if": {"field": "left", "value": "是"},
        },
    ]
    form = AnswerForm({"left": "否", "trip": "太长了的行程"}, fields=fields)
    assert form.is_valid() and form.answers() == {"left": False}
    form = AnswerForm({"left": "是"}, fields=fields)
    assert not form.is_valid() and form.errors["trip"] == [REQUIRED]


def test_a_copied_report_must_enter_daily_fields_again() -> None:
    fields = [{"name": "place", "label": "今日所在地", "kind": "text", "daily": True}]
    assert AnswerForm({}, fields=fields).is_valid()
    form = AnswerForm({}, fields=fields, copied=True)
    assert not form.is_valid() and form.errors["place"] == [REQUIRED]


def test_the_form_class_is_built_once_per_schema_and_each_form_has_its_own_fields() -> None:
    fields = [
        {"name": "left", "label": "是否离开", "kind": "yesno", "required": True},
        {"name": "place", "label": "今日所在地", "kind": "text", "daily": True},
    ]
    made = AnswerForm.of(fields)
    assert AnswerForm.of([dict(f) for f in fields]) is made
    changed = [fields[0], {**fields[1], "label": "所在地"}]
    assert AnswerForm.of(changed) is not made
    assert str(AnswerForm.of(changed)().fields["place"].label) == "所在地"
    # The daily field is asked again on a copy, and one form's changes stay its own.
    one, two = made({"left": "是"}, copied=True), made({"left": "是"})
    assert not one.is_valid() and one.errors["place"] == [REQUIRED]
    assert two.is_valid() and two.answers() == {"left": True}
    one.fields["place"].widget.attrs["data-x"] = "1"
    assert "data-x" not in made().fields["place"].widget.attrs
    assert made().fields["place"].widget.attrs["data-daily"] == "1"


def test_schema_errors_name_the_problem() -> None:
    bad = {
        "fields": [
            {"name": "A", "label": "x", "kind": "text"},
            {"name": "b", "label": "y", "kind": "choice", "choices": []},
            {"name": "c", "label": "z", "kind": "text", "show_if": {"field": "zz", "value": "1"}},
            {"name": "d", "label": "w", "kind": "number", "min": 5, "max": 1},
        ]
    }
    errors = " ".join(schema_errors(bad))
    assert "小写字母" in errors and "choices" in errors and "前面的字段" in errors
    assert "min 大于 max" in errors
    assert schema_errors({"fields": []}) == ["表单至少需要一个字段。"]
