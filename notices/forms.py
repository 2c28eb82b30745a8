from typing import Any

from django import forms

from config.forms import StyledFormMixin
from notices.models import RobotKind, RobotWebhook
from orgs.models import Org

STATE_CHOICES = [("", "全部"), ("unread", "未读"), ("read", "已读")]


class NoticeFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类别", required=False)
    state = forms.ChoiceField(label="状态", required=False, choices=STATE_CHOICES)

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "全部类别"), *kinds]


class PreferenceForm(StyledFormMixin, forms.Form):
    email = forms.BooleanField(label="同时发送到我的邮箱", required=False)
    email_urgent_only = forms.BooleanField(label="只有紧急通知才发邮件", required=False)


class RobotForm(StyledFormMixin, forms.Form):
    org = forms.ModelChoiceField(label="所属组织", queryset=Org.objects.none())
    kind = forms.ChoiceField(label="类型", choices=RobotKind.choices)
    name = forms.CharField(label="名称", max_length=60, help_text="如「计算机学院党委工作群」")
    url = forms.CharField(
        label="Webhook 地址",
        max_length=500,
        help_text="在群机器人设置中复制完整地址（企业微信含 key=，钉钉含 access_token=）",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    secret = forms.CharField(
        label="加签密钥（仅钉钉）",
        max_length=200,
        required=False,
        help_text="钉钉机器人安全设置选「加签」时填写，以 SEC 开头；保存后不再完整显示",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    urgent_only = forms.BooleanField(label="仅推送紧急通知", required=False)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["org"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = orgs


class RobotEditForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="名称", max_length=60)
    url = forms.CharField(
        label="Webhook 地址",
        max_length=500,
        required=False,
        help_text="留空则不更换",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    secret = forms.CharField(
        label="加签密钥（仅钉钉）",
        max_length=200,
        required=False,
        help_text="留空则保留原密钥",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    clear_secret = forms.BooleanField(label="取消加签（删除密钥）", required=False)
    urgent_only = forms.BooleanField(label="仅推送紧急通知", required=False)
    active = forms.BooleanField(
        label="启用", required=False, help_text="停用后，待发送的通知不再发往此机器人"
    )

    def __init__(self, *args: Any, webhook: RobotWebhook, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"name": webhook.name, "urgent_only": webhook.urgent_only, "active": webhook.active},
        )
        super().__init__(*args, **kwargs)
        self.fields["url"].widget.attrs["placeholder"] = webhook.url_hint
        if webhook.secret:
            self.fields["secret"].widget.attrs["placeholder"] = f"当前：{webhook.secret_hint}"
