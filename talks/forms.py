from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone

from config.forms import DateInput, StyledFormMixin
from members.models import Member
from members.selectors import PERSON_NOT_FOUND, person_key
from orgs.models import Org
from talks.models import DeliberationState, TalkMethod
from talks.selectors import DEFAULT_DAYS, MAX_DAYS

NOT_FOUND = PERSON_NOT_FOUND
MAX_ID = 2**31 - 1


def _suggest(name: str) -> dict[str, str]:
    """A person field that asks for suggestions as one types (htmx fills its <datalist>)."""
    return {
        "autocomplete": "off",
        "placeholder": "姓名或学工号",
        "list": f"{name}-options",
        "hx-get": f"{reverse('talk_people')}?field={name}",
        "hx-trigger": "input changed delay:300ms",
        "hx-target": f"#{name}-options",
        "hx-swap": "innerHTML",
    }


def find_member(people: Any, raw: str) -> Member:
    """The one member of `people` named by 学工号 or by name; anyone outside `people` is
    answered exactly like someone who does not exist."""
    text = person_key(raw)
    if not text:
        raise forms.ValidationError(NOT_FOUND)
    found = list(people.filter(number=text).select_related("branch")[:1])
    if not found:
        found = list(people.filter(name=text).select_related("branch")[:2])
        if len(found) > 1:
            raise forms.ValidationError("有多名同名党员，请输入学工号。")
    if not found:
        raise forms.ValidationError(NOT_FOUND)
    return found[0]


class TalkForm(StyledFormMixin, forms.Form):
    member = forms.CharField(
        label="谈话对象", max_length=80, help_text="输入姓名或学工号，从提示中选择"
    )
    talker = forms.CharField(
        label="谈话人",
        max_length=80,
        required=False,
        help_text="留空表示本人；也可填写本支部委员等其他谈话人",
    )
    talked_on = forms.DateField(label="谈话日期", widget=DateInput())
    method = forms.ChoiceField(
        label="谈话方式", choices=TalkMethod.choices, widget=forms.RadioSelect
    )
    thoughts = forms.CharField(
        label="思想动态", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    life = forms.CharField(
        label="生活心态", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )
    work = forms.CharField(
        label="工作（学习）状态",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )
    help_given = forms.CharField(
        label="帮助与指导",
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "思想引导、心理疏导、学习工作指导等"}
        ),
        required=False,
        max_length=4000,
    )
    follow_up_on = forms.DateField(
        label="回访日期", required=False, widget=DateInput(), help_text="需要再次了解情况时填写"
    )

    def __init__(self, *args: Any, people: Any, talkers: Any, own: Member | None, **kw: Any):
        super().__init__(*args, **kw)
        self.people = people
        self.talkers = talkers
        self.own = own
        self.fields["talked_on"].initial = timezone.localdate()
        self.fields["method"].initial = TalkMethod.IN_PERSON
        for name in ("member", "talker"):
            self.fields[name].widget.attrs.update(_suggest(name))
        if own is None:
            self.fields["talker"].required = True
            self.fields["talker"].help_text = "填写实际谈话的党员（如支部委员）"

    def clean_member(self) -> Member:
        return find_member(self.people, self.cleaned_data["member"])

    def clean_talker(self) -> Member | None:
        text = self.cleaned_data.get("talker", "")
        if not text.strip():
            return self.own
        return find_member(self.talkers, text)


class FollowUpForm(StyledFormMixin, forms.Form):
    followed_up_on = forms.DateField(label="回访日期", widget=DateInput())
    note = forms.CharField(
        label="回访情况", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["followed_up_on"].initial = timezone.localdate()


class TalkFilterForm(forms.Form):
    branch = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    date_from = forms.DateField(label="开始日期", required=False, widget=DateInput())
    date_to = forms.DateField(label="结束日期", required=False, widget=DateInput())
    method = forms.ChoiceField(
        label="方式", required=False, choices=[("", "全部方式"), *TalkMethod.choices]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        return data


class CoverageForm(forms.Form):
    days = forms.IntegerField(
        label="未谈话天数",
        required=False,
        min_value=1,
        max_value=MAX_DAYS,
        error_messages={
            "min_value": "天数至少为 1。",
            "max_value": f"天数不能超过 {MAX_DAYS}。",
            "invalid": "请输入整数天数。",
        },
    )
    org = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    @property
    def days_or_default(self) -> int:
        return (self.cleaned_data.get("days") if self.is_valid() else None) or DEFAULT_DAYS


class DeliberationForm(StyledFormMixin, forms.Form):
    branch = forms.ModelChoiceField(label="党支部", queryset=Org.objects.none())
    held_on = forms.DateField(label="议事日期", widget=DateInput())
    topic = forms.CharField(label="议题", max_length=200)
    discussion = forms.CharField(
        label="讨论情况", widget=forms.Textarea(attrs={"rows": 4}), max_length=8000
    )
    decision = forms.CharField(
        label="决定事项",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=8000,
        help_text="没有形成决定的可不填",
    )
    present = forms.IntegerField(label="到会人数", required=False, min_value=0, max_value=100000)
    votes_for = forms.IntegerField(label="赞成", required=False, min_value=0, max_value=100000)
    votes_against = forms.IntegerField(label="反对", required=False, min_value=0, max_value=100000)
    votes_abstain = forms.IntegerField(label="弃权", required=False, min_value=0, max_value=100000)
    owner = forms.CharField(
        label="落实责任人", max_length=80, required=False, help_text="输入姓名或学工号"
    )
    due_on = forms.DateField(label="落实期限", required=False, widget=DateInput())

    def __init__(self, *args: Any, branches: Any, people: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.people = people
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        self.fields["held_on"].initial = timezone.localdate()
        only = list(branches[:2])
        if len(only) == 1:
            self.fields["branch"].initial = only[0].pk
        for name in ("present", "votes_for", "votes_against", "votes_abstain"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
            self.fields[name].error_messages["min_value"] = "人数和票数不能为负数。"
        self.fields["owner"].widget.attrs.update(_suggest("owner"))

    def clean_owner(self) -> Member | None:
        text = self.cleaned_data.get("owner", "")
        return find_member(self.people, text) if text.strip() else None


class DeliberationStateForm(StyledFormMixin, forms.Form):
    state = forms.ChoiceField(label="落实状态", choices=DeliberationState.choices)
    note = forms.CharField(
        label="落实情况", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )
