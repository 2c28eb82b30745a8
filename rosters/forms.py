"""Forms of the rosters app: they reject malformed input; the services enforce the rules."""

import datetime as dt
import json
from typing import Any

from django import forms

from config.forms import DateInput, StyledFormMixin
from lib.params import parse_ids, parse_int
from members.forms import _clean_phone
from orgs.models import Campus, Org
from rosters.models import Phase, Post, PostKind
from rosters.problems import DEFAULT_SETTINGS


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


SLOTS_HELP = (
    "每行一个班次：名称 开始时间 时长（小时），如「00–06 00:00 6」；"
    "领导24小时值班写「24小时 08:00 24」。"
)


def slots_to_text(slots: list[dict[str, Any]]) -> str:
    return "\n".join(f"{s['name']} {s['start']} {float(s['hours']):g}" for s in slots)


MAX_HEADCOUNT = 200  # people per shift: a gate, a canteen, a building — never thousands
MAX_SLOTS = 24
SLOT_NAME_LENGTH = 30  # Assignment.slot


def slots_from_text(text: str) -> list[dict[str, Any]]:
    """The slots typed one per line as 「名称 开始时间 时长」, each checked with its line."""
    slots: list[dict[str, Any]] = []
    names: set[str] = set()
    for n, line in enumerate(text.strip().splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise forms.ValidationError(f"第 {n} 行应为「名称 开始时间 时长」三项。")
        name, start, hours_text = parts
        if len(name) > SLOT_NAME_LENGTH:
            raise forms.ValidationError(
                f"第 {n} 行的班次名称过长（不超过 {SLOT_NAME_LENGTH} 字）。"
            )
        if name in names:
            raise forms.ValidationError(f"第 {n} 行的班次名称「{name}」与前面重复。")
        try:
            start_time = dt.datetime.strptime(start, "%H:%M").time()
        except ValueError as e:
            raise forms.ValidationError(
                f"第 {n} 行的开始时间「{start}」应为 时:分，如 08:00。"
            ) from e
        try:
            hours = float(hours_text)
        except ValueError as e:
            raise forms.ValidationError(f"第 {n} 行的时长不是数字。") from e
        if not 0 < hours <= 24:  # also refuses nan and inf
            raise forms.ValidationError(f"第 {n} 行的时长应大于 0 且不超过 24 小时。")
        names.add(name)
        slots.append({"name": name, "start": f"{start_time:%H:%M}", "hours": hours})
    if not slots:
        raise forms.ValidationError("至少设置一个班次。")
    if len(slots) > MAX_SLOTS:
        raise forms.ValidationError(f"一天最多设置 {MAX_SLOTS} 个班次。")
    return slots


class PostForm(StyledFormMixin, forms.ModelForm):
    org = forms.ModelChoiceField(label="设岗组织", queryset=Org.objects.none())
    slots_text = forms.CharField(
        label="班次", widget=forms.Textarea(attrs={"rows": 4}), help_text=SLOTS_HELP
    )
    # Bounds are checked below with their reason (no database overflow, no 500).
    headcount = forms.IntegerField(
        label="每班人数",
        initial=4,
        min_value=1,
        max_value=MAX_HEADCOUNT,
        error_messages={
            "min_value": f"每班人数应在 1 到 {MAX_HEADCOUNT} 人之间。",
            "max_value": f"每班人数应在 1 到 {MAX_HEADCOUNT} 人之间。",
        },
    )
    min_cadres = forms.IntegerField(
        label="每班至少干部数",
        initial=0,
        min_value=0,
        max_value=MAX_HEADCOUNT,
        error_messages={
            "min_value": f"每班至少干部数应在 0 到 {MAX_HEADCOUNT} 人之间。",
            "max_value": f"每班至少干部数应在 0 到 {MAX_HEADCOUNT} 人之间。",
        },
    )

    class Meta:
        model = Post
        fields = [
            "name",
            "kind",
            "custom_kind",
            "campus",
            "place",
            "duties",
            "is_leader_duty",
            "headcount",
            "min_cadres",
            "category",
            "gender",
            "active",
        ]
        widgets = {"duties": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["org"].help_text = "校党委（根组织）下为校级岗位，二级党委下为院级岗位。"
        if self.instance.pk:
            self.fields["org"].initial = self.instance.org_id
            self.fields["slots_text"].initial = slots_to_text(self.instance.slots)
        else:
            from rosters.models import default_slots

            self.fields["slots_text"].initial = slots_to_text(default_slots())
        self.fields["kind"].choices = PostKind.choices  # type: ignore[attr-defined]

    def clean_slots_text(self) -> list[dict[str, Any]]:
        return slots_from_text(self.cleaned_data["slots_text"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        headcount, cadres = data.get("headcount"), data.get("min_cadres")
        if headcount is not None and cadres is not None and cadres > headcount:
            self.add_error(
                "min_cadres", f"每班至少干部数（{cadres}）不能多于每班人数（{headcount}）。"
            )
        return data

    def post_fields(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("org", "slots_text")}
        data["slots"] = self.cleaned_data["slots_text"]
        return data


class PhaseForm(StyledFormMixin, forms.ModelForm):
    org = forms.ModelChoiceField(label="组织", queryset=Org.objects.none())
    posts = forms.ModelMultipleChoiceField(
        label="岗位",
        queryset=Post.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Phase
        fields = ["name", "starts_on", "ends_on", "signup_deadline", "recommend_deadline"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "signup_deadline": DateTimeInput(),
            "recommend_deadline": DateTimeInput(),
        }

    def __init__(self, *args: Any, orgs: Any, posts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["posts"].queryset = posts  # type: ignore[attr-defined]
        self.fields["posts"].widget.attrs["class"] = ""
        if self.instance.pk:
            self.fields["org"].initial = self.instance.org_id
            self.fields["posts"].initial = list(self.instance.posts.values_list("pk", flat=True))


class SignUpForm(StyledFormMixin, forms.Form):
    wanted_posts = forms.CharField(
        label="意向岗位（按志愿顺序）", widget=forms.HiddenInput, required=False
    )
    unavailable_dates = forms.MultipleChoiceField(
        label="不能值班的日期（整天）", required=False, widget=forms.CheckboxSelectMultiple
    )
    unavailable_slots = forms.MultipleChoiceField(
        label="不能值班的班次", required=False, widget=forms.CheckboxSelectMultiple
    )
    avoid_night = forms.BooleanField(label="尽量不排夜班", required=False)
    campus = forms.ModelChoiceField(label="服务校区", queryset=Campus.objects.all(), required=False)
    phone = forms.CharField(label="联系电话", max_length=24)
    health_ok = forms.BooleanField(
        label="本人承诺：身体健康，近14天无发热、咳嗽等症状，无疫区旅居史", required=False
    )
    health_note = forms.CharField(label="健康说明", max_length=200, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, phase: Phase, posts: list[Post], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.posts = posts
        from rosters.problems import days

        dates = days(phase.starts_on, phase.ends_on)
        self.fields["unavailable_dates"].choices = [  # type: ignore[attr-defined]
            (d.isoformat(), f"{d.month}月{d.day}日") for d in dates
        ]
        slot_names = sorted({s["name"] for p in posts for s in p.slots})
        self.fields["unavailable_slots"].choices = [  # type: ignore[attr-defined]
            (f"{d.isoformat()}|{name}", f"{d.month}月{d.day}日 {name}")
            for d in dates
            for name in slot_names
        ]
        for name in ("unavailable_dates", "unavailable_slots"):
            self.fields[name].widget.attrs["class"] = ""

    def clean_phone(self) -> str:
        phone = _clean_phone(self.cleaned_data["phone"])
        if not phone:
            raise forms.ValidationError("请填写联系电话。")
        return phone

    def clean_wanted_posts(self) -> list[int]:
        raw = self.data.getlist("wanted") if hasattr(self.data, "getlist") else []
        known = {p.pk for p in self.posts}
        wanted: list[int] = []
        for pk in parse_ids(raw):
            if pk in known and pk not in wanted:
                wanted.append(pk)
        # the order chosen on the page: "order_<post pk>" = 1, 2, 3 …
        order = {pk: parse_int(self.data.get(f"order_{pk}")) or 99 for pk in wanted}
        position = {pk: i for i, pk in enumerate(wanted)}
        wanted.sort(key=lambda pk: (order[pk], position[pk]))
        if not wanted:
            raise forms.ValidationError("请至少选择一个意向岗位。")
        return wanted

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["unavailable_slots"] = [v.split("|", 1) for v in data["unavailable_slots"]]
        return data


class RosterSettingsForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput(attrs={"class": "roster-version"}))
    rest_hours = forms.DecimalField(label="两班之间至少休息（小时）", min_value=0, max_value=72)
    weekly_cap = forms.IntegerField(
        label="每人每周最多班次", min_value=1, required=False, help_text="留空表示不限"
    )
    leaders_own_group = forms.BooleanField(
        label="校领导单独比较负担",
        required=False,
        help_text="勾选时校领导的负担只在校领导之间比较均衡（默认）",
    )
    person_caps = forms.CharField(
        label="个人每周上限",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一人：学工号或姓名 = 每周上限（按工作量计，24 小时班计 2），覆盖统一上限",
    )
    time_limit = forms.IntegerField(label="求解时限（秒）", min_value=1, max_value=600)
    w_spread = forms.IntegerField(label="权重：负担均衡", min_value=0)
    w_preference = forms.IntegerField(label="权重：非意向岗位", min_value=0)
    w_unwanted_day = forms.IntegerField(label="权重：不便日期", min_value=0)
    w_night = forms.IntegerField(label="权重：不愿夜班", min_value=0)

    @classmethod
    def initial_from(cls, conf: dict[str, Any], version: int) -> dict[str, Any]:
        weights = conf.get("weights", DEFAULT_SETTINGS["weights"])
        return {
            "version": version,
            "rest_hours": conf["rest_hours"],
            "weekly_cap": conf.get("weekly_cap"),
            "time_limit": conf["time_limit"],
            "leaders_own_group": conf.get("leaders_own_group", True),
            "person_caps": "\n".join(f"{k} = {v}" for k, v in conf.get("person_caps", {}).items()),
            **{f"w_{k}": v for k, v in weights.items()},
        }

    def clean_person_caps(self) -> dict[str, int]:
        caps: dict[str, int] = {}
        for n, line in enumerate(self.cleaned_data["person_caps"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.replace("＝", "=").partition("=")
            try:
                cap = int(value.strip())
            except ValueError:
                cap = -1
            if not sep or not key.strip() or cap < 0:
                raise forms.ValidationError(
                    f"第 {n} 行格式不对：应为「学工号或姓名 = 每周上限」，上限为非负整数"
                )
            caps[key.strip()] = cap
        return caps

    def settings(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "rest_hours": float(d["rest_hours"]),
            "weekly_cap": d["weekly_cap"],
            "time_limit": d["time_limit"],
            "leaders_own_group": bool(d["leaders_own_group"]),
            "person_caps": d["person_caps"],
            "weights": {k: d[f"w_{k}"] for k in ("spread", "preference", "unwanted_day", "night")},
        }


class SwapRequestForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="调班原因", max_length=200)
    with_number = forms.CharField(
        label="愿意替班的同事学工号（可不填）", max_length=32, required=False
    )


class UploadForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput(attrs={"class": "roster-version"}))
    file = forms.FileField(label="JSON 文件")

    def clean_file(self) -> dict[str, Any]:
        f = self.cleaned_data["file"]
        if f.size > 20 * 1024 * 1024:
            raise forms.ValidationError("文件过大（上限 20 MB）。")
        try:
            data = json.loads(f.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise forms.ValidationError(f"不是有效的 JSON 文件：{e}") from e
        if not isinstance(data, dict):
            raise forms.ValidationError("JSON 顶层应为对象。")
        return data


def parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
