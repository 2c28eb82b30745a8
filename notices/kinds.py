"""Names of notice kinds, for the notice centre's filter and its rows.

A kind is a dotted code chosen by the app that sends it; its first part names the area.
"""

KIND_LABELS: dict[str, str] = {
    "campaign.deadline": "报送截止提醒",
    "meeting.due": "组织生活提醒",
    "meeting.term": "换届提醒",
    "notice.test": "测试通知",
}

AREA_LABELS: dict[str, str] = {
    "campaign": "活动报送",
    "meeting": "组织生活",
    "report": "报表填报",
    "situation": "情况报告",
    "request": "请示批复",
    "fever": "体温异常",
    "roster": "值班",
    "duty": "值守",
    "talk": "谈心谈话",
    "notice": "系统通知",
}


def kind_label(code: str) -> str:
    if code in KIND_LABELS:
        return KIND_LABELS[code]
    return AREA_LABELS.get(code.split(".", 1)[0], "其他通知")
