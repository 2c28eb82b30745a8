from typing import Any

from django import forms

from config.forms import DateInput, StyledFormMixin
from gates.models import Gate
from members.models import Member
from rosters.models import Post, PostKind

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class GateForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Gate
        fields = ["campus", "name", "post", "active"]
        help_texts = {"post": "排班表中该门岗的值班值守岗：在班人员可在本门岗登记。"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = Post.objects.filter(  # type: ignore[attr-defined]
            kind=PostKind.GATE_DUTY, is_leader_duty=False
        ).select_related("campus")
        self.fields["post"].empty_label = "（不关联，仅派驻人员登记）"  # type: ignore[attr-defined]


class KeeperForm(StyledFormMixin, forms.Form):
    member = forms.CharField(label="学工号", max_length=32)
    device_label = forms.CharField(label="设备（可选）", max_length=50, required=False)

    def clean_member(self) -> Member:
        number = self.cleaned_data["member"].strip()
        member = Member.objects.filter(number=number).first()
        if member is None:
            raise forms.ValidationError("没有这个学工号的人员。")
        if member.user_id is None:
            raise forms.ValidationError("此人还没有登录账号，无法在手机上登记。")
        return member


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label="设备导出的登记文件",
        help_text="门岗登记页「导出待同步登记」保存的 .json 文件；已保存过的登记不会重复。",
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("文件超过 20 MB。")
        return f


class DayForm(StyledFormMixin, forms.Form):
    day = forms.DateField(label="日期", required=False, widget=DateInput())
