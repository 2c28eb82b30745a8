"""Audit rows as Chinese sentences: who did what to which object, and what changed.

「组织部管理员 张三 修改了党员 李四（A0001）：手机号 138****0001 → 139****0002；政治面貌 预备党员 →
正式党员」. Each action has a sentence template in ACTIONS; an action not in the table gets a
generic sentence from the last part of its name (create → 新建 …). Payload keys that a template
does not use are listed after it, each with its field's label (the model field's verbose_name,
else KEY_LABELS) and its display value (a choice's label, a date in Chinese form, a list joined
with 、). Phone and ID numbers are masked for the viewer as access.scope.Masker masks them.

render_events() makes a fixed number of queries for a page of any length: the actors' grants,
the member targets' branches (when a page holds personal numbers), the orgs and campuses named
in export filters.
"""

import ast
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from access.models import Grant, Role
from access.scope import Masker
from members.models import Member
from orgs.models import Campus, Org

SYSTEM = "系统"

# The object nouns, by the model's label (AuditEvent.target_type).
NOUNS: dict[str, str] = {
    "orgs.org": "党组织",
    "orgs.campus": "校区",
    "members.member": "党员",
    "members.importbatch": "导入批次",
    "access.grant": "授权",
    "access.apitoken": "接口令牌",
    "campaigns.campaign": "活动",
    "campaigns.deliverable": "任务项",
    "campaigns.submission": "报送",
    "campaigns.unitsummary": "情况总结",
    "rosters.post": "先锋岗",
    "rosters.phase": "阶段",
    "rosters.signup": "报名",
    "rosters.allocation": "岗位分配",
    "rosters.roster": "值班表",
    "rosters.assignment": "班次安排",
    "rosters.swaprequest": "换班申请",
    "rosters.calendarfeed": "日历订阅",
    "duty.pledge": "承诺书",
    "duty.pledgesignature": "签名",
    "duty.responsibilityzone": "党员责任区",
    "duty.team": "党员先锋队",
    "duty.dutycheck": "签到",
    "notices.robotwebhook": "群机器人",
    "notices.noticepreference": "通知设置",
    "duty.dutylog": "值班日志",
}

# Action kinds for the filter, by the action's first part.
GROUPS: dict[str, str] = {
    "member": "党员",
    "org": "党组织",
    "campus": "校区",
    "grant": "授权",
    "api_token": "接口令牌",
    "campaign": "活动",
    "deliverable": "任务项",
    "submission": "报送",
    "unit_summary": "情况总结",
    "library": "教育素材库",
    "post": "先锋岗",
    "phase": "阶段",
    "signup": "报名",
    "allocation": "岗位分配",
    "roster": "值班表",
    "assignment": "班次安排",
    "swap": "换班申请",
    "calendar_feed": "日历订阅",
    "duty": "值班",
    "pledge": "承诺书",
    "zone": "党员责任区",
    "team": "党员先锋队",
    "user": "账号",
    "account": "账号",
    "notice": "通知",
    "password": "账号",
    "care": "组织关爱",
    "honour": "表彰评比",
    "cadre": "干部纪实",
    "rating": "岗位评分",
    "appraisal": "述职评议",
    "meeting": "会议",
    "committee_seat": "支委",
    "compliance_rule": "组织生活规定",
    "compliance_exemption": "组织生活规定",
    "talk": "谈心谈话",
    "deliberation": "民主议事",
    "development": "发展党员",
    "study": "学习教育",
    "role_model": "典型选树",
    "escalation": "情况报告",
    "report": "日常报备",
    "gate": "门岗",
}


@dataclass(frozen=True)
class Action:
    name: str  # the action's name in the filter: 「修改党员」
    sentence: str  # the sentence after the actor, with {placeholders}


# {object}: the noun and the object's label (「党员 李四（A0001）」); {label}: the label alone;
# {people}: 「（312 人）」 when the payload has a count; any other name: that payload key's value.
ACTIONS: dict[str, Action] = {
    # orgs, campuses, grants, tokens
    "org.create": Action("新建党组织", "新建了{object}"),
    "org.update": Action("修改党组织", "修改了{object}"),
    "org.move": Action("移动党组织", "移动了{object}"),
    "org.delete": Action("删除党组织", "删除了{object}"),
    "campus.create": Action("新建校区", "新建了{object}"),
    "campus.update": Action("修改校区", "修改了{object}"),
    "grant.create": Action("授予权限", "授予用户 {user} 在「{org}」的{role}角色"),
    "grant.revoke": Action("撤销权限", "撤销了用户 {user} 在「{org}」的{role}角色"),
    "api_token.create": Action("创建接口令牌", "创建了接口令牌「{label}」"),
    "api_token.revoke": Action("吊销接口令牌", "吊销了接口令牌「{label}」"),
    # members
    "member.create": Action("新增党员", "新增了{object}"),
    "member.update": Action("修改党员", "修改了{object}"),
    "member.move": Action("转接组织关系", "转接了{object}的组织关系"),
    "member.status_change": Action("变更政治面貌", "变更了{object}的政治面貌"),
    "member.whereabouts_change": Action("变更去向", "变更了{object}的去向"),
    "member.export": Action("导出党员名单", "导出了党员名单{people}"),
    "member.import": Action(
        "导入党员名册",
        "导入了党员名册「{filename}」：新增 {created} 人，更新 {updated} 人，"
        "未变 {unchanged} 人，新建党组织 {orgs_created} 个",
    ),
    "member.api_list": Action(
        "接口读取党员名单",
        "通过接口读取了党员名单{people}，其中 {full} 人显示完整手机号或身份证号"
        "（共 {total} 人符合条件）",
    ),
    "member.password_reset": Action("重置密码", "重置了{object}的登录密码"),
    "user.password_change": Action("修改密码", "修改了自己的登录密码"),
    # campaigns
    "campaign.create": Action("新建活动", "新建了{object}"),
    "campaign.update": Action("修改活动", "修改了{object}"),
    "campaign.remind": Action("发送截止提醒", "发送了报送截止提醒"),
    "campaign.casebook_export": Action("导出案例集", "导出了活动「{label}」的案例集"),
    "campaign.package_export": Action("导出上报包", "导出了活动「{label}」的上报包"),
    "campaign.package_import": Action("导入上报包", "导入了上报包：{label}"),
    "deliverable.create": Action("新建任务项", "新建了{object}"),
    "deliverable.update": Action("修改任务项", "修改了{object}"),
    "unit_summary.create": Action("填写情况总结", "填写了{object}"),
    "unit_summary.update": Action("修改情况总结", "修改了{object}"),
    "submission.create": Action("新建报送", "新建了{object}"),
    "submission.update": Action("修改报送", "修改了{object}"),
    "submission.submitted": Action("报送", "报送了「{label}」"),
    "submission.withdrawn": Action("撤回报送", "撤回了报送「{label}」"),
    "submission.returned": Action("退回报送", "退回了报送「{label}」"),
    "submission.shortlisted": Action("报送入围", "将报送「{label}」列入入围"),
    "submission.selected": Action("择优", "择优选中了报送「{label}」"),
    "submission.recommended": Action("推荐报送", "推荐了报送「{label}」"),
    "submission.published": Action("发布报送", "发布了报送「{label}」"),
    "submission.draft": Action("报送改回草稿", "将报送「{label}」改回草稿"),
    "submission.review": Action("评审报送", "评审了报送「{label}」"),
    "submission.attach": Action("上传报送文件", "为报送「{label}」上传了文件"),
    "submission.file_delete": Action("删除报送文件", "删除了报送「{label}」的文件「{file}」"),
    "submission.file_download": Action("下载报送文件", "下载了报送文件「{name}」"),
    "library.download": Action("下载素材", "从教育素材库下载了「{name}」"),
    # posts, phases, sign-ups, rosters
    "post.create": Action("新建先锋岗", "新建了{object}"),
    "post.update": Action("修改先锋岗", "修改了{object}"),
    "phase.create": Action("新建阶段", "新建了{object}"),
    "phase.update": Action("修改阶段", "修改了{object}"),
    "signup.create": Action("报名", "提交了先锋岗报名（{label}）"),
    "signup.update": Action("修改报名", "修改了先锋岗报名（{label}）"),
    "signup.recommend": Action("推荐报名", "推荐：{label}"),
    "signup.unrecommend": Action("撤销推荐", "撤销了推荐：{label}"),
    "signup.export": Action("导出报名表", "导出了{label}"),
    "allocation.add": Action("分配岗位", "分配了岗位：{label}"),
    "allocation.remove": Action("取消岗位分配", "取消了岗位分配：{label}"),
    "roster.create": Action("新建值班表", "新建了{object}"),
    "roster.settings": Action("修改排班设置", "修改了{object}的排班设置"),
    "roster.publish": Action("发布值班表", "发布了{object}"),
    "roster.unpublish": Action("撤回值班表", "撤回了{object}的发布"),
    "roster.solve": Action("开始排班求解", "开始求解{object}"),
    "roster.solve_stop": Action("停止排班求解", "停止了{object}的求解"),
    "roster.solve_expired": Action("排班求解超时", "{object}的求解已超时终止"),
    "roster.solved": Action(
        "排班求解完成",
        "完成了{object}的求解：安排 {assignments} 人次，得分 {score}（上界 {bound}）",
    ),
    "roster.import": Action("导入排班结果", "导入了{object}的排班结果（{n} 人次）"),
    "roster.export": Action("导出值班表", "导出了{label}"),
    "roster.print": Action("打印值班表", "打印了{object}"),
    "roster.problem_export": Action("导出排班问题", "导出了{object}的排班问题文件"),
    "assignment.add": Action("安排班次", "在值班表中安排了 {label}"),
    "assignment.remove": Action("移除班次", "从值班表中移除了 {label}"),
    "assignment.replace": Action("替换班次人员", "在值班表中改为安排 {label}"),
    "assignment.swap": Action("对调班次", "在{object}中对调了两个班次"),
    "assignment.pin": Action("固定班次", "固定了{object}中的一个班次"),
    "assignment.unpin": Action("取消固定班次", "取消固定了{object}中的一个班次"),
    "swap.request": Action("申请换班", "提交了换班申请（{label}）"),
    "swap.approve": Action("批准换班", "批准了{object}"),
    "swap.refuse": Action("拒绝换班", "拒绝了{object}"),
    "calendar_feed.regenerate": Action("重置日历订阅", "重置了日历订阅链接（{label}）"),
    # duty, pledges, zones, teams
    "duty.check_in": Action("值班签到", "值班签到：{label}"),
    "duty.check_out": Action("值班签退", "值班签退：{label}"),
    "duty.log": Action("填写值班日志", "填写了值班日志：{label}"),
    "duty.stats_export": Action("导出值班人次", "导出了值班人次统计"),
    "pledge.create": Action("发布承诺书", "发布了承诺书「{label}」"),
    "pledge.update": Action("修改承诺书", "修改了承诺书「{label}」"),
    "pledge.sign": Action("签署承诺书", "签署了承诺书「{label}」"),
    "pledge.export": Action("导出签署情况", "导出了承诺书「{label}」的签署情况"),
    "zone.create": Action("新建责任区", "新建了{object}"),
    "zone.update": Action("修改责任区", "修改了{object}"),
    "zone.export": Action("导出责任区", "导出了党员责任区名单"),
    "team.create": Action("新建先锋队", "新建了{object}"),
    "team.update": Action("修改先锋队", "修改了{object}"),
    "team.export": Action("导出先锋队", "导出了党员先锋队名单"),
    # notices: the user's own channels, the orgs' group robots
    "notice.preference": Action("修改通知设置", "修改了自己的通知设置"),
    "notice.robot_create": Action("添加群机器人", "添加了群机器人「{label}」"),
    "notice.robot_update": Action("修改群机器人", "修改了群机器人「{label}」"),
    "notice.robot_test": Action("测试群机器人", "向群机器人「{label}」发送了测试消息"),
    "notice.robot_retry": Action(
        "重发群机器人通知", "将群机器人「{label}」未送达的通知重新排队发送"
    ),
    # 组织关爱, 表彰评比, 干部纪实台账, 岗位评分, 述职评议 (the label says what and how much)
    "care.fund_create": Action("新建关爱资金账户", "新建了{label}"),
    "care.income": Action("记关爱资金收入", "记录了{label}"),
    "care.payment_request": Action("申请慰问发放", "提交了{label}"),
    "care.payment_approve": Action("批准慰问发放", "批准了{label}"),
    "care.payment_refuse": Action("不批准慰问发放", "记录了{label}"),
    "care.entry_reverse": Action("冲正关爱资金", "记录了{label}"),
    "care.export": Action("导出关爱资金流水", "导出了{label}"),
    "care.payment_export": Action("导出慰问名单", "导出了{label}"),
    "honour.round_create": Action("发起表彰评比", "{label}"),
    "honour.quota_set": Action("调整表彰名额", "调整了名额：{label}"),
    "honour.nominate": Action("表彰推荐", "提交了{label}"),
    "honour.evidence_add": Action("补充推荐佐证", "补充了{label}"),
    "honour.review": Action("表彰评审", "记录了{label}"),
    "honour.publicity": Action("表彰公示", "开始了{label}"),
    "honour.objection": Action("公示异议", "提出了{label}"),
    "honour.objection_handle": Action("处理公示异议", "记录了{label}"),
    "honour.finalise": Action("确定表彰名单", "{label}"),
    "honour.certificates": Action("导出荣誉证书", "导出了{label}"),
    "cadre.record": Action("记录干部纪实", "记录了{label}"),
    "cadre.export": Action("导出干部纪实台账", "导出了{label}"),
    "rating.set": Action("岗位评分", "记录了{label}"),
    "appraisal.report": Action("上传述职报告", "上传了{label}"),
    "appraisal.result": Action("记录述职评议", "记录了{label}"),
    # accounts and passwords
    "account.create_bulk": Action("批量创建账号", "批量创建了 {created} 个登录账号"),
    "account.reissue_bulk": Action("重新生成初始密码", "为 {reissued} 个账号重新生成了初始密码"),
    "account.password_reset": Action("重置账号密码", "重置了账号「{label}」的登录密码"),
    "account.deactivate": Action("停用账号", "停用了账号「{label}」"),
    "account.activate": Action("启用账号", "启用了账号「{label}」"),
    "account.link_issue": Action("生成设置密码链接", "为账号「{label}」生成了设置密码链接"),
    "password.change": Action("修改密码", "修改了自己的登录密码"),
    "password.set_by_link": Action("通过链接设置密码", "通过链接设置了账号「{label}」的密码"),
    "member.group_set": Action("调整党小组", "调整了{object}所在的党小组"),
    "roster.delete": Action("删除值班表", "删除了值班表「{label}」"),
    "roster.api_read": Action("接口读取值班表", "通过接口读取了{label}"),
    # 三会一课 and other meetings, 支委, 组织生活规定
    "meeting.create": Action("新建会议记录", "新建了{object}"),
    "meeting.update": Action("修改会议记录", "修改了{object}"),
    "meeting.draft": Action("会议改回草稿", "将{object}改回草稿"),
    "meeting.submitted": Action("提交会议审核", "提交了{object}，等待单位审核"),
    "meeting.unit_approved": Action("单位审核会议", "单位审核通过了{object}，报组织部审核"),
    "meeting.approved": Action("审核通过会议", "审核通过了{object}"),
    "meeting.returned": Action("退回会议记录", "退回了{object}"),
    "meeting.check_in": Action("会议签到", "在会议上签到（{label}）"),
    "meeting.files_add": Action("上传会议附件", "为{object}上传了附件"),
    "meeting.story_save": Action("记录会上故事", "记录了组织生活会上讲述的故事「{label}」"),
    "meeting.story_files_add": Action("上传故事图片", "为「{story}」上传了图片或视频"),
    "meeting.stories_compile": Action(
        "汇编战疫故事汇", "将{object}上的 {stories} 个故事汇编为战疫故事汇"
    ),
    "meeting.export": Action("导出会议记录", "导出了会议记录"),
    "meeting.minutes_export": Action("导出会议纪要", "导出了{object}的会议纪要"),
    "committee_seat.add": Action("记录支委任职", "记录了支委任职：{label}"),
    "committee_seat.end": Action("记录支委离任", "记录了支委 {label} 离任"),
    "compliance_rule.create": Action("新建组织生活规定", "新建了组织生活规定：{label}"),
    "compliance_rule.deactivate": Action("停用组织生活规定", "停用了组织生活规定：{label}"),
    "compliance_exemption.create": Action("豁免会议要求", "豁免了{label}的会议要求"),
    # 谈心谈话, 民主议事
    "talk.record": Action("记录谈心谈话", "记录了谈心谈话：{label}"),
    "talk.follow_up": Action("记录谈话回访", "记录了谈话回访：{label}"),
    "talk.coverage_export": Action("导出谈话覆盖情况", "进行了{label}"),
    "deliberation.record": Action("记录民主议事", "记录了民主议事「{label}」"),
    "deliberation.state": Action("更新议事落实", "更新了民主议事「{label}」的落实情况"),
    # 发展党员
    "development.open": Action("建立发展档案", "为{label}建立了发展档案"),
    "development.details": Action("修改发展档案", "修改了{object}"),
    "development.advance": Action("记录发展阶段", "记录了发展阶段：{label}"),
    "development.publicity": Action("发起公示", "为{object}发起了公示"),
    "development.objection": Action("登记公示意见", "登记了{object}公示期间收到的意见"),
    "development.objection_resolve": Action("处理公示意见", "处理了{object}公示期间收到的意见"),
    "development.evidence": Action("上传发展材料", "为{object}上传了材料"),
    "development.export": Action("导出发展党员名册", "导出了发展党员名册"),
    # 学习教育
    "study.plan_create": Action("新建学习计划", "新建了{object}"),
    "study.session_create": Action("记录学习活动", "记录了{object}"),
    "study.done": Action("完成自学", "完成了{object}"),
    "study.hours_export": Action("导出学时", "进行了{label}"),
    # 典型选树
    "role_model.nominate": Action("推荐典型", "推荐了典型「{label}」"),
    "role_model.approve": Action("审核通过典型", "审核通过了典型推荐「{label}」"),
    "role_model.return": Action("退回典型推荐", "退回了典型推荐「{label}」"),
    "role_model.renominate": Action("重新推荐典型", "修改后重新推荐了典型「{label}」"),
    "role_model.report": Action("报送典型", "将典型「{label}」报送到活动"),
    # 情况报告与请示
    "escalation.create": Action("上报情况报告", "提交了「{label}」"),
    "escalation.fever": Action("发热自动上报", "自动上报了发热情况「{label}」"),
    "escalation.acknowledge": Action("阅知情况报告", "阅知了情况报告「{label}」"),
    "escalation.handle": Action("处理情况报告", "处理了情况报告「{label}」"),
    "escalation.reply": Action("批复请示", "批复了「{label}」"),
    "escalation.message": Action("情况报告留言", "在「{label}」下留言"),
    # 日常报备
    "report.form_create": Action("新建报备表单", "新建了{object}"),
    "report.form_revise": Action("修改报备表单", "修改了{object}（生成新版本）"),
    "report.schedule_create": Action("新建报备安排", "新建了{object}"),
    "report.schedule_stop": Action("停止报备安排", "停止了{object}"),
    "report.submit": Action("提交报备", "提交了{label}"),
    "report.overdue_export": Action("导出未报名单", "进行了{label}"),
    # 门岗
    "gate.create": Action("新建门岗", "新建了{object}"),
    "gate.update": Action("修改门岗", "修改了{object}"),
    "gate.keeper_assign": Action("安排门岗值守", "安排了门岗值守：{label}"),
    "gate.keeper_remove": Action("撤下门岗值守", "撤下了门岗值守：{label}"),
    "gate.pass_reissue": Action("重发通行码", "为{object}重新生成了通行码"),
    "gate.sync": Action("同步门禁记录", "从门禁设备同步了{object}的进出记录：新增 {stored} 条"),
    "gate.import": Action("导入进出记录", "导入了{object}的进出记录：新增 {stored} 条"),
    "gate.figures_export": Action("导出门岗统计", "进行了{label}"),
}

# Verbs for an action not in ACTIONS, by the last part of its name.
VERBS: dict[str, str] = {
    "create": "新建了",
    "add": "添加了",
    "update": "修改了",
    "edit": "修改了",
    "delete": "删除了",
    "remove": "移除了",
    "export": "导出了",
    "import": "导入了",
    "download": "下载了",
    "print": "打印了",
    "publish": "发布了",
    "approve": "批准了",
    "refuse": "拒绝了",
    "revoke": "撤销了",
    "reset": "重置了",
    "sign": "签署了",
}

# Labels of payload keys that are not a field of the object's model.
KEY_LABELS: dict[str, str] = {
    "filters": "筛选条件",
    "count": "条数",
    "total": "符合条件",
    "offset": "起始位置",
    "full": "完整号码",
    "q": "关键词",
    "unit": "单位",
    "branch": "党支部",
    "org": "党组织",
    "parent": "上级党组织",
    "user": "用户",
    "role": "角色",
    "state": "状态",
    "text": "内容",
    "comment": "意见",
    "score": "评分",
    "bound": "上界",
    "assignments": "人次",
    "n": "人次",
    "files": "文件",
    "file": "文件",
    "name": "名称",
    "refused": "未接收",
    "reminders": "提醒",
    "submissions": "报送",
    "authors": "作者",
    "deliverable": "任务项",
    "member": "党员学工号",
    "members": "成员学工号",
    "leader": "负责人学工号",
    "before": "修改前",
    "changed_on": "变更日期",
    "moved_on": "转接日期",
    "place": "地点",
    "filename": "文件名",
    "created": "新增",
    "updated": "更新",
    "unchanged": "未变",
    "orgs_created": "新建党组织",
    "source": "来源",
    "installation_id": "来源系统编号",
    "source_campaign": "来源活动编号",
    "temperatures_taken": "测温人数",
    "people_registered": "登记人数",
    "rest_hours": "最短休息（小时）",
    "weekly_cap": "每周上限（班次）",
    "person_caps": "个人每周上限",
    "leaders_own_group": "校领导单独比较负担",
    "time_limit": "求解时限（秒）",
    "weights": "权重",
    "spread": "均衡",
    "preference": "意愿",
    "unwanted_day": "不便日期",
    "night": "夜班",
    "slots": "班次",
    "start": "开始",
    "hours": "时长（小时）",
    "order": "顺序",
    "version": "版本",
    "settings": "排班设置",
    "campaign": "活动",
    "phase": "阶段",
    "created_by": "创建人",
    "updated_by": "修改人",
    "cadre_only": "只看干部",
    "sort": "排序",
    "campus": "校区",
    "political_status": "政治面貌",
    "category": "类别",
    "cadre_rank": "干部职级",
    "whereabouts": "去向",
    "username": "用户名",
    "sessions_ended": "结束会话",
    "tokens_revoked": "吊销令牌",
    "was_temporary": "原为临时密码",
    "skipped_existing": "已有账号",
    "skipped_taken": "用户名被占用",
    "skipped": "跳过",
    "numbers": "学工号",
    "party_group": "党小组",
    "talker": "谈话人学工号",
    "days": "天数",
    "votes": "赞成、反对、弃权",
    "applied_on": "申请日期",
    "for_stage": "公示事项",
    "starts_on": "开始日期",
    "ends_on": "结束日期",
    "received_on": "收到日期",
    "resolved_on": "处理日期",
    "upheld": "意见成立",
    "stage": "阶段",
    "on": "日期",
    "reason": "原因",
    "story": "故事",
    "stories": "故事数",
    "full_phones": "完整手机号",
    "active": "启用",
    "post": "先锋岗",
    "stored": "新增",
    "known": "已有",
    "fields": "字段数",
    "owner": "所属组织",
    "form": "表单",
    "frequency": "频次",
    "period": "期次",
    "late": "逾期",
    "copied": "沿用上次",
    "kind": "类型",
    "urgency": "紧急程度",
    "to_org": "报送对象",
    "temperature": "体温（℃）",
    "level": "阅知层级",
    "note": "处理情况",
    "answer": "批复",
    "held_on": "日期",
}

_KEY_ORDER = {key: i for i, key in enumerate(KEY_LABELS)}
# Choices of payload keys that are not a field of the object's model.
KEY_CHOICES: dict[str, dict[str, str]] = {"role": {str(v): str(lbl) for v, lbl in Role.choices}}
# Keys that hold an internal id: shown as a count (lists) or not at all (one id).
ID_KEYS = {"file", "submissions"}
# Keys not worth showing: where an API page started.
HIDDEN_KEYS = {"offset"}
# Keys whose value is a list of items, not an [old, new] pair.
LIST_KEYS = {
    "members",
    "files",
    "refused",
    "reminders",
    "submissions",
    "slots",
    "tags",
    "numbers",
    "skipped_taken",
}
PERSONAL = {"phone", "id_number"}
# Filter keys that name an org or a campus by id.
ORG_KEYS = {"unit", "branch", "org"}
CAMPUS_KEYS = {"campus"}
# The order in which an actor's roles are named (the first held).
ROLE_ORDER = [
    Role.SCHOOL_ADMIN,
    Role.UNIT_ADMIN,
    Role.DUTY_OFFICE,
    Role.BRANCH_SECRETARY,
    Role.REVIEWER,
]
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
ISO_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})")
DATE_IN_TEXT = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
DEFAULT_STR = re.compile(r"^\w+ object \((\d+)\)$")  # Model.__str__ without its own
LABEL_PREFIX = re.compile(r"^[^：:，。\s]{2,10}：")  # 「案例集导出：」…
LONG = 80


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's choices: (kind, [(value, name)]); a kind's own value is 「prefix.」."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for code, action in ACTIONS.items():
        grouped.setdefault(code.split(".", 1)[0], []).append((code, action.name))
    return [
        (GROUPS.get(prefix, prefix), [(f"{prefix}.", f"全部{GROUPS.get(prefix, '')}操作"), *items])
        for prefix, items in grouped.items()
    ]


def object_choices() -> list[tuple[str, str]]:
    return sorted(NOUNS.items(), key=lambda item: item[1])


def action_name(code: str) -> str:
    if code in ACTIONS:
        return ACTIONS[code].name
    prefix = code.split(".", 1)[0]
    if code == f"{prefix}." and prefix in GROUPS:
        return f"全部{GROUPS[prefix]}操作"
    return ""


@dataclass
class Line:
    """One audit row as the viewer reads it."""

    at: dt.datetime
    who: str
    sentence: str  # the whole sentence, starting with who
    ip: str | None
    details: list[str] = field(default_factory=list)


# --- values ---------------------------------------------------------------------------------


@cache
def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def noun_of(target_type: str) -> str:
    if target_type in NOUNS:
        return NOUNS[target_type]
    model = _model(target_type)
    name = str(model._meta.verbose_name) if model is not None else ""
    return name if _chinese(name) else "对象"


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(key)
    except Exception:  # FieldDoesNotExist, or a reverse relation
        return None
    return found if isinstance(found, models.Field) else None


def key_label(model: type[models.Model] | None, key: str) -> str:
    f = _field(model, key)
    if f is not None and _chinese(str(f.verbose_name)):
        return str(f.verbose_name)
    return KEY_LABELS.get(key, "其他")


def _date(y: str, m: str, d: str) -> str:
    return f"{int(y)}年{int(m)}月{int(d)}日"


def _dates_in(text: str) -> str:
    return DATE_IN_TEXT.sub(lambda m: _date(*m.groups()), text)


def _literal(text: str) -> Any:
    """A Python repr written into old rows ("[{'name': …}]", "False"), as data."""
    if text in ("True", "False", "None"):
        return ast.literal_eval(text)
    if not text or text[0] not in "[{(":
        return text
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


@dataclass
class Refs:
    """Names of the orgs and campuses that payloads refer to by id."""

    orgs: dict[int, str] = field(default_factory=dict)
    campuses: dict[int, str] = field(default_factory=dict)


def value_text(model: type[models.Model] | None, key: str, value: Any, refs: Refs) -> str:
    """A payload value as the viewer reads it."""
    if isinstance(value, str):
        value = _literal(value)
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int) and key in ORG_KEYS:
        return refs.orgs.get(value, "（已删除的党组织）")
    if isinstance(value, int) and key in CAMPUS_KEYS:
        return refs.campuses.get(value, "（已删除的校区）")
    if isinstance(value, dict):
        return "，".join(
            f"{key_label(model, k)} {value_text(model, k, v, refs)}" for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        if key in ID_KEYS:
            return f"{len(value)} 项"
        # the items of a list (班次 …) are not the object's fields
        inner = None if any(isinstance(item, dict) for item in value) else model
        return "、".join(value_text(inner, key, item, refs) for item in value)
    text = str(value)
    choices = _choices(_field(model, key)) or KEY_CHOICES.get(key, {})
    if text in choices:
        return choices[text]
    if m := ISO_DATETIME.match(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return f"{_date(*m.groups()[:3])} {moment:%H:%M}"
    if m := ISO_DATE.match(text):
        return _date(*m.groups())
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return text if len(text) <= LONG else text[: LONG - 1] + "…"


@cache
def _choices_of(model_label: str, key: str) -> dict[str, str]:
    f = _field(_model(model_label), key)
    if f is None:
        return {}
    choices = f.choices or getattr(getattr(f, "base_field", None), "choices", None)
    return {str(k): str(v) for k, v in (choices or [])}


def _choices(f: models.Field[Any, Any] | None) -> dict[str, str]:
    if f is None or f.model is None:
        return {}
    label = f.model._meta.label_lower
    return _choices_of(label, f.name) or _list_choices(f"{label}.{f.name}")


# JSON list fields that hold codes carry no choices: where their TextChoices live.
LIST_CHOICES = {"campaigns.deliverable.material_types": "MaterialType"}


@cache
def _list_choices(key: str) -> dict[str, str]:
    if key not in LIST_CHOICES:
        return {}
    model = _model(key.rsplit(".", 1)[0])
    kinds = getattr(import_module(model.__module__), LIST_CHOICES[key], None) if model else None
    return {str(v): str(label) for v, label in getattr(kinds, "choices", [])}


# --- who ------------------------------------------------------------------------------------


def _actor_names(events: list[Any]) -> dict[int, str]:
    """「组织部管理员 张三」 for each actor on the page: one query for their grants."""
    actors = {e.actor_id: e.actor for e in events if e.actor_id is not None}
    roles: dict[int, set[str]] = {}
    for user_id, role in Grant.objects.filter(user_id__in=list(actors)).values_list(
        "user_id", "role"
    ):
        roles.setdefault(user_id, set()).add(role)
    names = {}
    for pk, user in actors.items():
        held = roles.get(pk, set())
        member = user.member if _has_member(user) else None
        name = user.get_full_name().strip() or (member.name if member else "") or user.username
        role = next(
            (str(Role(r).label) for r in ROLE_ORDER if r in held),
            "党员" if member is not None else "用户",
        )
        names[pk] = f"{role} {name}"
    return names


def _has_member(user: Any) -> bool:
    try:
        return user.member is not None
    except Member.DoesNotExist:
        return False


# --- masking --------------------------------------------------------------------------------


def _member_paths(events: list[Any]) -> dict[int, str]:
    """Branch paths of the member targets whose rows hold a phone or ID number."""
    ids = {
        int(e.target_id)
        for e in events
        if e.target_type == "members.member"
        and e.target_id.isdigit()
        and isinstance(e.changes, dict)
        and PERSONAL & set(e.changes)
    }
    if not ids:
        return {}
    return dict(Member.objects.filter(pk__in=ids).values_list("pk", "branch__path"))


def _mask(masker: Masker, key: str, value: Any, member_id: int | None, path: str | None) -> Any:
    if isinstance(value, list):
        return [_mask(masker, key, v, member_id, path) for v in value]
    if not isinstance(value, str) or not value:
        return value
    # A member no longer on the roll, or a row not about a member: nobody's subtree holds it,
    # and it is nobody's own record (-1 is no one's id).
    stub = Member(pk=member_id if path is not None else -1, phone=value, id_number=value)
    branch_path = path if path is not None else "\x00"
    return (
        masker.phone(stub, branch_path) if key == "phone" else masker.id_number(stub, branch_path)
    )


# --- the sentence ---------------------------------------------------------------------------


class _Payload(dict[str, str]):
    """format_map() values that note which keys the template used."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.used: set[str] = set()

    def __missing__(self, key: str) -> str:
        raise KeyError(key)

    def __getitem__(self, key: str) -> str:
        self.used.add(key)
        return super().__getitem__(key)


def clean_label(event: Any) -> str:
    """The object's label without a written-in kind (「案例集导出：」, 「… 导出」), dates in
    Chinese, and never a Python default (「SwapRequest object (3)」)."""
    label = event.target_label or ""
    if DEFAULT_STR.match(label) or (not label and event.target_id):
        return f"编号 {event.target_id}"
    label = LABEL_PREFIX.sub("", label)
    if label.endswith("导出") and len(label) > 2:
        label = label[:-2].rstrip()
    return _dates_in(label)


def _generic(action: str, noun: str) -> str:
    verb = VERBS.get(action.rsplit(".", 1)[-1], "处理了")
    return f"{verb}{noun}{{label_spaced}}"


def render_event(
    event: Any, *, who: str, masker: Masker, paths: dict[int, str], refs: Refs
) -> Line:
    model = _model(event.target_type) if event.target_type else None
    # a row without its object (an old or hand-written one): the action's kind names it
    noun = noun_of(event.target_type) if event.target_type else GROUPS.get(_prefix(event), "")
    label = clean_label(event)
    changes: dict[str, Any] = event.changes if isinstance(event.changes, dict) else {}
    member_id = None
    if event.target_type == "members.member" and event.target_id.isdigit():
        member_id = int(event.target_id)
    path = paths.get(member_id) if member_id is not None else None
    shown = {
        k: (_mask(masker, k, v, member_id, path) if k in PERSONAL else v)
        for k, v in changes.items()
    }
    count = changes.get("count")
    payload = _Payload(
        {
            **{k: value_text(_model_for(k, model), k, v, refs) for k, v in shown.items()},
            "label": label,
            "label_spaced": f" {label}" if label else "",
            "object": f"{noun} {label}".strip() if noun else label,
            "people": f"（{count} 人）" if isinstance(count, int) else "",
        }
    )
    action = ACTIONS.get(event.action)
    try:
        text = (action.sentence if action else _generic(event.action, noun)).format_map(payload)
    except (KeyError, IndexError, ValueError):
        payload.used.clear()
        text = _generic(event.action, noun).format_map(payload)
    if "people" in payload.used:
        payload.used.add("count")
    details = [
        _detail(key, value, _model_for(key, model), refs)
        for key, value in sorted(shown.items(), key=lambda item: _order(model, item[0]))
        if key not in payload.used and key not in HIDDEN_KEYS and _shown(key, value)
    ]
    sentence = f"{who} {text}"
    if details:
        sentence += ("；" if "：" in text else "：") + "；".join(details)
    return Line(at=event.at, who=who, sentence=sentence, ip=event.ip, details=details)


def _order(model: type[models.Model] | None, key: str) -> tuple[int, int, str]:
    """Details in the form's order: the model's fields, then KEY_LABELS, then the rest
    (PostgreSQL's jsonb keeps no order of its own)."""
    fields = _field_order(model._meta.label_lower) if model is not None else {}
    if key in fields:
        return (0, fields[key], key)
    return (1, _KEY_ORDER.get(key, len(_KEY_ORDER)), key)


@cache
def _field_order(label: str) -> dict[str, int]:
    model = _model(label)
    return {f.name: i for i, f in enumerate(model._meta.fields)} if model else {}


def _shown(key: str, value: Any) -> bool:
    """Whether a payload key is worth a detail: not one internal id, not an empty value."""
    if key in ID_KEYS and not isinstance(value, list):
        return False
    if _is_pair(key, value) and value[0] is None and value[1] in (None, "", [], {}):
        return False  # created empty
    return value not in ({}, [])


def _prefix(event: Any) -> str:
    return str(event.action).split(".", 1)[0]


def _model_for(key: str, model: type[models.Model] | None) -> type[models.Model] | None:
    """Export filters are the member list's: their codes are the member's choices."""
    return _model("members.member") if key == "filters" else model


def _detail(key: str, value: Any, model: type[models.Model] | None, refs: Refs) -> str:
    """「手机号 138****0001 → 139****0002」, or 「政治面貌 正式党员」 for a new or plain value."""
    label = key_label(model, key)
    if not _is_pair(key, value):
        return f"{label} {value_text(model, key, value, refs)}"
    old, new = (value_text(model, key, v, refs) for v in value)
    if value[0] is None:
        return f"{label} {new}"
    return f"{label} {old} → {'（无）' if value[1] is None else new}"


def _is_pair(key: str, value: Any) -> bool:
    """[old, new] (a diff), rather than a list of two items."""
    if not isinstance(value, list) or len(value) != 2:
        return False
    return key not in LIST_KEYS or all(v is None or isinstance(v, list) for v in value)


def _refs(events: Iterable[Any]) -> Refs:
    """One query each for the orgs and campuses that export filters name by id."""
    org_ids: set[int] = set()
    campus_ids: set[int] = set()
    for e in events:
        filters = e.changes.get("filters") if isinstance(e.changes, dict) else None
        if not isinstance(filters, Mapping):
            continue
        for key, value in filters.items():
            number = int(value) if str(value).isdigit() else None
            if number is None:
                continue
            if key in ORG_KEYS:
                org_ids.add(number)
            elif key in CAMPUS_KEYS:
                campus_ids.add(number)
    refs = Refs()
    if org_ids:
        refs.orgs = dict(Org.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    if campus_ids:
        refs.campuses = dict(Campus.objects.filter(pk__in=campus_ids).values_list("pk", "name"))
    return refs


def _ints(events: list[Any]) -> None:
    """Filter values arrive from the query string as text: ids become numbers."""
    for e in events:
        filters = e.changes.get("filters") if isinstance(e.changes, dict) else None
        if isinstance(filters, dict):
            for key in ORG_KEYS | CAMPUS_KEYS:
                if str(filters.get(key, "")).isdigit():
                    filters[key] = int(filters[key])


def render_events(events: Iterable[Any], *, viewer: Any) -> list[Line]:
    """The page's rows as sentences, for this viewer (see the module's docstring)."""
    events = list(events)
    _ints(events)
    names = _actor_names(events)
    masker = Masker(viewer)
    paths = _member_paths(events)
    refs = _refs(events)
    return [
        render_event(
            e,
            who=names.get(e.actor_id, SYSTEM) if e.actor_id else SYSTEM,
            masker=masker,
            paths=paths,
            refs=refs,
        )
        for e in events
    ]


def actor_ids_matching(text: str) -> list[int]:
    """Users whose username, name or member name is `text` (the person filter)."""
    users = get_user_model().objects
    by_user = users.filter(username=text) | users.filter(first_name=text)
    ids = set(by_user.values_list("pk", flat=True))
    ids |= set(
        Member.objects.filter(name=text, user__isnull=False).values_list("user_id", flat=True)
    )
    return sorted(i for i in ids if i is not None)
