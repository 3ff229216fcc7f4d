"""The words of projects, in Chinese and English, once: kinds, renewal types, event kinds, clock
statuses (docs/projects.md). Workflows name their own states, actions, documents and fields."""

from __future__ import annotations

Pair = tuple[str, str]

KINDS: dict[str, Pair] = {"disposal": ("处置", "Disposal"), "renewal": ("改造", "Renewal")}

# 改造类型 (东府〔2023〕4号; 村级工业园改造 and 旧村改造 as Jiangmen and Foshan name them)
RENEWAL_TYPES: dict[str, Pair] = {
    "industrial_to_industrial": ("工改工", "Industrial to industrial"),
    "industrial_to_residential_commercial": ("工改居商", "Industrial to residential and commercial"),
    "industrial_to_commercial": ("工改商", "Industrial to commercial"),
    "village_industrial_park": ("村级工业园改造", "Village industrial park renewal"),
    "old_village": ("旧村改造", "Old village renewal"),
}

EVENT_KINDS: dict[str, Pair] = {
    "created": ("立项", "Created"),
    "action": ("办理", "Action"),
    "suspend": ("中止", "Suspended"),
    "resume": ("恢复", "Resumed"),
    "extend": ("延期", "Extended"),
    "void": ("作废", "Voided"),
    "missed": ("逾期", "Deadline missed"),
    "consent": ("权益人意愿", "Consent"),
    "vote": ("表决", "Vote"),
    "document": ("附件", "Document"),
    "note": ("备注", "Note"),
}

CLOCK_STATUS: dict[str, Pair] = {
    "running": ("进行中", "Running"),
    "suspended": ("中止计时", "Suspended"),
    "met": ("按期完成", "Met"),
    "met_late": ("逾期完成", "Met late"),
    "overdue": ("已逾期", "Overdue"),
    "ended": ("项目已结束，不再计时", "Project ended"),
}

# Documents the consent ledger and votes carry (a workflow names the kinds its actions require).
LEDGER_DOCUMENTS: dict[str, Pair] = {
    "consent_evidence": ("意愿证明文件（同意书、协议）", "Consent evidence (consent form, agreement)"),
    "vote_record": ("表决记录", "Record of the vote"),
}
