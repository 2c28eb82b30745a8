"""Forms reject malformed input; the services enforce the domain rules."""

import datetime as dt
import re
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from campaigns.models import (
    Campaign,
    Deliverable,
    DeliverableKind,
    LatePolicy,
    MaterialType,
    SubmittingLevel,
)
from campaigns.services import AuthorIn
from config.forms import StyledFormMixin
from lib.cn import normalize_text
from members.models import Member
from orgs.models import Org

_SPLIT = re.compile(r"[\n,，;；、]+")
# No unit hands in more than this many items for one task item; a larger number is a typo.
MAX_QUOTA = 1000


def split_list(value: str) -> list[str]:
    """One item per line (or separated by commas / 、), blanks and repeats dropped."""
    seen: list[str] = []
    for raw in _SPLIT.split(value or ""):
        part = normalize_text(raw).strip()
        if part and part not in seen:
            seen.append(part)
    return seen


class _CheckboxesMixin:
    """Bootstrap-friendly checkboxes (StyledFormMixin would style them as text inputs)."""

    def _plain_checkboxes(self, *names: str) -> None:
        for name in names:
            self.fields[name].widget.attrs["class"] = "form-check-input"  # type: ignore[attr-defined]


class CampaignForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "year", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DeliverableForm(StyledFormMixin, _CheckboxesMixin, forms.ModelForm):
    deadline = forms.DateTimeField(
        label="截止时间",
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text="北京时间；如「7月底前」填 7 月 31 日 23:59。",
    )
    material_types = forms.MultipleChoiceField(
        label="允许的素材类型",
        choices=MaterialType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    quota = forms.IntegerField(
        label="每单位限报（个）",
        required=False,
        min_value=1,
        max_value=MAX_QUOTA,
        help_text=f"1–{MAX_QUOTA}；留空为不限数量。",
    )
    subkinds_text = forms.CharField(
        label="细分类别",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一个，如：先锋岗、责任状、突击队、立项攻关。留空为不分类。",
    )
    topics_text = forms.CharField(
        label="主题",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一个；留空为不限主题。",
    )

    class Meta:
        model = Deliverable
        fields = [
            "kind",
            "name",
            "deadline",
            "submitting_level",
            "quota",
            "material_types",
            "late_policy",
            "requires_summary",
            "description",
            "order",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain_checkboxes("material_types")
        instance = self.instance
        if instance.pk:
            self.initial["subkinds_text"] = "\n".join(instance.subkinds)
            self.initial["topics_text"] = "\n".join(instance.topics)
            self.initial["deadline"] = timezone.localtime(instance.deadline)
        else:
            self.initial.setdefault("submitting_level", SubmittingLevel.UNIT)
            self.initial.setdefault("late_policy", LatePolicy.REFUSE)

    def deadline_passed(self) -> bool:
        """A deadline already past is allowed (a late entry, a record) but worth a warning."""
        deadline = self.cleaned_data.get("deadline")
        return deadline is not None and deadline < timezone.now()

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["subkinds"] = split_list(data.pop("subkinds_text", ""))
        data["topics"] = split_list(data.pop("topics_text", ""))
        data["order"] = data.get("order") or 0
        return data


class SubmissionForm(StyledFormMixin, forms.Form):
    org = forms.ModelChoiceField(label="报送单位", queryset=Org.objects.none())
    title = forms.CharField(label="标题", max_length=200)
    topic = forms.ChoiceField(label="主题", required=False)
    subkind = forms.ChoiceField(label="类别", required=False)
    authors = forms.CharField(
        label="作者 / 主讲人",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一人：输入学工号或姓名可从本单位党员中选择；不在名册中的人员直接填写姓名。",
    )
    summary = forms.CharField(
        label="简介", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    tags = forms.CharField(
        label="标签", required=False, help_text="用逗号或顿号分隔，如：抗疫一线、志愿服务。"
    )

    def __init__(
        self,
        *args: Any,
        deliverable: Deliverable,
        orgs: QuerySet[Org] | None,
        members: QuerySet[Member],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.deliverable = deliverable
        self.members = members
        if orgs is None:
            del self.fields["org"]
        else:
            self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
            if orgs.count() == 1:
                self.fields["org"].initial = orgs.first()
        if deliverable.topics:
            self.fields["topic"].choices = [  # type: ignore[attr-defined]
                ("", "请选择主题"),
                *[(t, t) for t in deliverable.topics],
            ]
        else:
            del self.fields["topic"]
        if deliverable.subkinds:
            self.fields["subkind"].choices = [  # type: ignore[attr-defined]
                ("", "请选择类别"),
                *[(s, s) for s in deliverable.subkinds],
            ]
        else:
            del self.fields["subkind"]
        if deliverable.kind == DeliverableKind.MICRO_LECTURE:
            self.fields["authors"].label = "主讲人"

    def clean_tags(self) -> list[str]:
        return split_list(self.cleaned_data.get("tags", ""))

    def clean_authors(self) -> list[AuthorIn]:
        """Each line: a member's number (optionally followed by the name), a member's name
        that is unique in scope, or a free-text name for someone not on the rolls."""
        raw = (self.cleaned_data.get("authors") or "").splitlines()
        lines = [normalize_text(line).strip() for line in raw if line.strip()]
        if not lines:
            raise forms.ValidationError("请至少填写一位作者或主讲人。")
        tokens = {line.split()[0] for line in lines} | set(lines)
        found = list(
            self.members.filter(Q(number__in=tokens) | Q(name__in=tokens)).only(
                "id", "number", "name"
            )
        )
        by_number = {m.number: m for m in found}
        by_name: dict[str, list[Member]] = {}
        for m in found:
            by_name.setdefault(m.name, []).append(m)
        out: list[AuthorIn] = []
        for line in lines:
            first = line.split()[0]
            if first in by_number:
                out.append(AuthorIn(member=by_number[first]))
            elif len(by_name.get(line, [])) == 1:
                out.append(AuthorIn(member=by_name[line][0]))
            else:
                if len(line) > 50:
                    raise forms.ValidationError(f"姓名过长：{line[:20]}…")
                out.append(AuthorIn(name=line))
        return out

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "summary": data.get("summary", ""),
            "topic": data.get("topic", ""),
            "subkind": data.get("subkind", ""),
            "tags": data.get("tags", []),
        }


def authors_text(authors: list[Any]) -> str:
    """The authors of a submission as the form shows them."""
    lines = []
    for a in authors:
        if a.member_id is not None and a.member is not None:
            lines.append(f"{a.member.number} {a.name}")
        else:
            lines.append(a.name)
    return "\n".join(lines)


class ReviewForm(StyledFormMixin, forms.Form):
    score = forms.DecimalField(
        label="评分", required=False, min_value=0, max_value=100, decimal_places=1
    )
    comment = forms.CharField(
        label="评语", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TransitionForm(StyledFormMixin, forms.Form):
    to_state = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    recommended_to = forms.CharField(required=False, max_length=50)


class SummaryForm(StyledFormMixin, forms.Form):
    org = forms.ModelChoiceField(label="单位", queryset=Org.objects.none())
    text = forms.CharField(
        label="情况总结",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="本单位组织生活会开展情况：时间、形式、参加人数、主要内容与成效。",
    )

    def __init__(self, *args: Any, orgs: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 local time of `day` (「7月底前」 means by the end of 31 July)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
