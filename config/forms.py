"""Site-wide form styling (Bootstrap classes on every widget) and bounds on numbers, so no
form sends the database a number it cannot hold."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from lib.params import MAX_ID, MAX_INT32


def _bound_integer(field: forms.IntegerField) -> None:
    """An integer field without bounds gets the 32-bit ones (a count, an order, a year)."""
    if field.max_value is None:
        field.max_value = MAX_INT32
        field.validators.append(MaxValueValidator(MAX_INT32))
        field.widget.attrs.setdefault("max", MAX_INT32)
    if field.min_value is None:
        field.min_value = -MAX_INT32 - 1
        field.validators.append(MinValueValidator(-MAX_INT32 - 1))


def _bound_ids(field: forms.ModelMultipleChoiceField) -> None:
    """Ids beyond what a key holds are refused as invalid choices before any query."""
    clean: Callable[[Any], Any] = field.clean

    def bounded_clean(value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else []:
            digits = str(pk).strip().lstrip("-")
            if digits.isascii() and digits.isdigit() and (len(digits) > 19 or int(digits) > MAX_ID):
                raise forms.ValidationError(
                    field.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": f"{digits[:12]}…"},
                )
        return clean(value)

    field.clean = bounded_clean  # type: ignore[method-assign]


class StyledFormMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, forms.IntegerField) and not isinstance(
                field, forms.FloatField | forms.DecimalField
            ):
                _bound_integer(field)
            if isinstance(field, forms.ModelMultipleChoiceField) and not field.to_field_name:
                _bound_ids(field)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)
