"""The ready-made forms: health, whereabouts and travel, thoughts and work (SPEC §4)."""

from typing import Any

HEALTH: dict[str, Any] = {
    "fields": [
        {
            "name": "temperature",
            "label": "今日体温（℃）",
            "kind": "temperature",
            "required": True,
            "daily": True,
            "help": "请如实填写今天早上测量的腋下体温。",
        },
        {
            "name": "symptoms",
            "label": "今日是否有以下症状",
            "kind": "multi",
            "choices": ["无", "发热", "咳嗽", "乏力", "咽痛", "腹泻", "嗅觉味觉减退"],
            "required": True,
            "daily": True,
        },
        {
            "name": "symptom_note",
            "label": "症状说明",
            "kind": "text",
            "multiline": True,
            "show_if": {"field": "symptoms", "value": "发热"},
            "required": True,
            "help": "何时开始发热，是否已就医。",
        },
        {
            "name": "last_test_on",
            "label": "最近一次核酸检测日期",
            "kind": "date",
            "daily": True,
        },
    ]
}

WHEREABOUTS: dict[str, Any] = {
    "fields": [
        {
            "name": "place",
            "label": "今日所在地",
            "kind": "location",
            "required": True,
            "daily": True,
        },
        {
            "name": "left_city",
            "label": "近 14 天是否离开所在城市",
            "kind": "yesno",
            "required": True,
        },
        {
            "name": "travel",
            "label": "行程（到过哪些城市、乘坐的交通工具及车次航班）",
            "kind": "text",
            "multiline": True,
            "required": True,
            "show_if": {"field": "left_city", "value": "是"},
        },
        {
            "name": "return_plan",
            "label": "计划返校日期",
            "kind": "date",
        },
    ]
}

THOUGHTS: dict[str, Any] = {
    "fields": [
        {
            "name": "thoughts",
            "label": "思想动态",
            "kind": "text",
            "multiline": True,
            "required": True,
            "max_length": 2000,
        },
        {
            "name": "work",
            "label": "工作（学习）情况",
            "kind": "text",
            "multiline": True,
            "required": True,
            "max_length": 2000,
        },
        {
            "name": "volunteer_hours",
            "label": "本周参加防控志愿服务（小时）",
            "kind": "number",
            "min": 0,
            "max": 168,
        },
        {
            "name": "need_help",
            "label": "是否需要组织帮助",
            "kind": "yesno",
            "required": True,
        },
        {
            "name": "help_note",
            "label": "需要什么帮助",
            "kind": "text",
            "required": True,
            "show_if": {"field": "need_help", "value": "是"},
        },
    ]
}

# (name, description, schema), in the order 组织部 sees them offered.
READY_MADE = [
    ("每日健康报备", "体温与症状，每天上午报备。", HEALTH),
    ("去向与行程报备", "今日所在地与近 14 天行程。", WHEREABOUTS),
    ("思想与工作报备", "每周报告思想动态和工作（学习）情况。", THOUGHTS),
]
