"""Collective votes: quorum and pass thresholds compared exactly, the notice before the vote, a
collective's stricter charter merged over the policy's rule, and bad input named by its field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from landrenewal.domain.language import speaking
from landrenewal.domain.projects.votes import (
    Vote,
    VoteError,
    decide,
    rule_for,
    verdict,
    vote_problems,
    vote_rule_problems,
    vote_rules_problems,
    with_charter,
)
from landrenewal.policies.files import resolve_policy

# The shape of the Guangzhou guideline as the project brief summarises it (a test rule, not shipped):
# general meeting quorum more than half of the members or two thirds of the households; a
# representatives' meeting two thirds of the representatives; two thirds of those present to pass.
MEETING: dict[str, Any] = {
    "notice_days": 7,
    "bodies": {
        "general": {
            "quorum": {"members": {"more_than": "1/2"}, "households": {"at_least": "2/3"}},
            "pass": {"of": "present", "at_least": "2/3"},
        },
        "representatives": {"quorum": {"members": {"at_least": "2/3"}}, "pass": {"of": "present", "at_least": "2/3"}},
    },
}
PARTNER: dict[str, Any] = {
    "bodies": {
        "general": {
            "quorum": {"members": {"more_than": "1/2"}, "households": {"at_least": "2/3"}},
            "pass": {"of": "present", "more_than": "1/2"},
        }
    }
}
COMPENSATION: dict[str, Any] = {"bodies": {"affected": {"pass": {"of": "affected", "at_least": 0.8}}}}
DAY = dt.date(2024, 3, 20)


def _vote(**given: Any) -> Vote:
    fields: dict[str, Any] = {
        "matter": "intent",
        "body": "representatives",
        "vote_date": DAY,
        "eligible": 30,
        "present": 30,
        "for_": 30,
        "notice_start": dt.date(2024, 3, 1),
    }
    fields.update(given)
    return Vote(**fields)


def test_two_of_three_present_is_two_thirds_exactly() -> None:
    outcome = decide(_vote(eligible=3, present=2, for_=2), MEETING)
    assert outcome.passed
    assert outcome.checks[0].text == "到会要求：到会人数 2/3（66.7 % ≥ 2/3）"
    assert outcome.checks[1].text == "同意 2 票，占到会 2 人的 100.0 % ≥ 2/3"
    outcome = decide(_vote(eligible=3, present=3, for_=2), MEETING)
    assert outcome.passed and outcome.checks[1].text == "同意 2 票，占到会 3 人的 66.7 % ≥ 2/3"
    # one vote short of two thirds of 31 present fails, and the figure beside it is cut, not rounded up
    outcome = decide(_vote(eligible=31, present=31, for_=20), MEETING)
    assert not outcome.passed and outcome.checks[1].text == "同意 20 票，占到会 31 人的 64.5 % < 2/3"


def test_more_than_half_is_strictly_more() -> None:
    half = decide(_vote(body="general", eligible=100, present=50, for_=50), MEETING)
    assert not half.passed and half.checks[0].text == "到会要求：到会人数 50/100（50.0 % ≤ 1/2），或未记录户数"
    assert decide(_vote(body="general", eligible=100, present=51, for_=51), MEETING).passed
    tie = decide(_vote(matter="partner", body="general", eligible=100, present=60, for_=30, against=30), PARTNER)
    assert not tie.passed and tie.checks[1].text == "同意 30 票，占到会 60 人的 50.0 % ≤ 1/2"
    assert decide(_vote(matter="partner", body="general", eligible=100, present=60, for_=31), PARTNER).passed


def test_households_may_meet_the_quorum_when_members_do_not() -> None:
    vote = _vote(body="general", eligible=100, present=40, for_=40, households_eligible=30, households_present=20)
    outcome = decide(vote, MEETING)
    assert outcome.passed
    assert outcome.checks[0].text == "到会要求：到会人数 40/100（40.0 % ≤ 1/2），或到会户数 20/30（66.7 % ≥ 2/3）"
    with speaking("en"):
        assert outcome.checks[0].text == (
            "quorum: present 40 of 100 (40.0 % ≤ 1/2), or households present 20 of 30 (66.7 % ≥ 2/3)"
        )
    no_households = decide(_vote(body="general", eligible=100, present=40, for_=40), MEETING)
    assert not no_households.passed and "未记录户数" in no_households.checks[0].text


def test_the_compensation_plan_needs_80_percent_of_all_affected_persons() -> None:
    short = _vote(matter="compensation", body="affected", eligible=200, present=190, for_=159, affected=200)
    outcome = decide(short, COMPENSATION)
    assert not outcome.passed  # 83.7 % of those present, but 79.5 % of everyone affected
    assert outcome.checks[0].text == "同意 159 票，占被拆迁安置总人数 200 人的 79.5 % < 80 %"
    enough = _vote(matter="compensation", body="affected", eligible=200, present=190, for_=160, affected=200)
    assert decide(enough, COMPENSATION).passed
    unrecorded = decide(_vote(matter="compensation", body="affected", for_=30), COMPENSATION)
    assert not unrecorded.passed and unrecorded.checks[0].text == "同意票：未记录被拆迁安置总人数"


def test_zhennan_village_all_for_passes_under_the_national_rule() -> None:
    rules = resolve_policy("gd-foshan-nanhai", dt.date(2025, 6, 1))["projects.vote_rules"]
    rule = rule_for(rules, "intent")
    assert rule is not None
    vote = _vote(eligible=45, present=45, for_=45, vote_date=dt.date(2025, 6, 1), notice_start=dt.date(2025, 5, 20))
    outcome = decide(vote, rule)
    assert outcome.passed and verdict(outcome) == "通过"
    assert outcome.text == "同意 45 票，占应到 45 人的 100.0 % ≥ 2/3；公示 12 日（自 2025-05-20 起）≥ 10 日"
    with speaking("en"):
        assert verdict(outcome) == "passed"


def test_a_failed_vote_says_not_passed_with_each_failed_check() -> None:
    outcome = decide(_vote(eligible=30, present=19, for_=13, notice_start=dt.date(2024, 3, 15)), MEETING)
    assert verdict(outcome) == ("未通过：到会要求：到会人数 19/30（63.3 % < 2/3）；公示 5 日（自 2024-03-15 起）< 7 日")
    with speaking("en"):
        assert verdict(outcome) == (
            "not passed: quorum: present 19 of 30 (63.3 % < 2/3); notice of 5 days (from 2024-03-15) < 7 days"
        )


def test_a_body_the_rule_does_not_name_cannot_decide_the_matter() -> None:
    outcome = decide(_vote(body="joint"), MEETING)
    assert not outcome.passed
    assert outcome.checks[0].text == "改造意愿不由党员代表及股民代表联席会议表决（可表决的：成员大会、成员代表会议）"


def test_the_notice_must_run_its_days_before_the_vote_the_first_day_not_counted() -> None:
    on_time = decide(_vote(notice_start=dt.date(2024, 3, 1), vote_date=dt.date(2024, 3, 8)), MEETING)
    assert on_time.passed and on_time.checks[-1].text == "公示 7 日（自 2024-03-01 起）≥ 7 日"
    early = decide(_vote(notice_start=dt.date(2024, 3, 1), vote_date=dt.date(2024, 3, 7)), MEETING)
    assert not early.passed and early.checks[-1].text == "公示 6 日（自 2024-03-01 起）< 7 日"
    within = decide(_vote(notice_end=dt.date(2024, 3, 25)), MEETING)
    assert not within.passed and "表决日 2024-03-20 在公示期内（公示至 2024-03-25）" in within.text
    unrecorded = decide(_vote(notice_start=None), MEETING)
    assert not unrecorded.passed and unrecorded.checks[-1].text == "公示：未记录起始日（须满 7 日）"


def test_a_stricter_charter_wins_key_by_key() -> None:
    charter = {
        "notice_days": 15,
        "bodies": {
            "general": {"quorum": {"members": {"at_least": "2/3"}}, "pass": {"of": "present", "at_least": 0.75}},
            "joint": {"pass": {"of": "present", "at_least": "1/2"}},  # the policy does not let it decide
        },
    }
    merged = with_charter(MEETING, charter).as_mapping()
    assert merged == {
        "notice_days": 15,
        "bodies": {
            "general": {
                "quorum": {"members": {"at_least": "2/3"}},
                "pass": {"of": "present", "at_least": "3/4"},
            },
            "representatives": {
                "quorum": {"members": {"at_least": "2/3"}},
                "pass": {"of": "present", "at_least": "2/3"},
            },
        },
    }
    # a looser charter changes nothing
    looser = {"notice_days": 3, "bodies": {"general": {"pass": {"of": "present", "more_than": "1/2"}}}}
    assert with_charter(MEETING, looser).as_mapping() == with_charter(MEETING, {}).as_mapping()
    assert with_charter(MEETING, {}).as_mapping()["notice_days"] == 7
    # neither implies the other: a vote must meet both
    other = {"bodies": {"general": {"pass": {"of": "eligible", "more_than": "1/2"}}}}
    both = with_charter(MEETING, other)
    assert both.as_mapping()["bodies"]["general"]["pass"] == [
        {"of": "present", "at_least": "2/3"},
        {"of": "eligible", "more_than": "1/2"},
    ]
    vote = _vote(body="general", eligible=100, present=60, for_=45, households_eligible=30, households_present=25)
    assert decide(vote, MEETING).passed
    outcome = decide(vote, both)
    assert not outcome.passed and outcome.checks[-2].text == "同意 45 票，占应到 100 人的 45.0 % ≤ 1/2"
    # more than half of all members implies at least half of those present: only the charter's stays
    implied = with_charter(PARTNER, {"bodies": {"general": {"pass": {"of": "eligible", "more_than": "1/2"}}}})
    assert implied.as_mapping()["bodies"]["general"]["pass"] == {"of": "eligible", "more_than": "1/2"}


@pytest.mark.parametrize(
    ("given", "zh", "en"),
    [
        ({"present": 31}, "表决 present：到会 31 人多于应到 30 人（eligible）。", "vote present: 31 present is more"),
        (
            {"for_": 20, "against": 8, "abstain": 3},
            "表决 for_、against、abstain：同意、反对、弃权合计 31 票，多于到会 30 人（present）。",
            "vote for_, against, abstain: 31 votes in all, more than the 30 present.",
        ),
        ({"against": -1}, "表决 against：须为不小于 0 的整数，实为 -1。", "vote against: must be a whole number"),
        ({"eligible": True}, "表决 eligible：须为不小于 0 的整数", "vote eligible: must be a whole number"),
        ({"present": 2.5}, "表决 present：须为不小于 0 的整数", "vote present: must be a whole number"),
        ({"households_present": 5}, "户数须两项都填或都不填", "give both household counts or neither"),
        ({"households_present": 9, "households_eligible": 8}, "到会 9 户多于应到 8 户", "9 households present"),
        ({"affected": 10}, "表决 affected：同意 30 票多于被拆迁安置总人数 10 人。", "vote affected: 30 votes for"),
        ({"notice_end": dt.date(2024, 2, 1)}, "公示截止日 2024-02-01 早于起始日", "the notice ends on 2024-02-01"),
        ({"notice_start": dt.date(2024, 4, 1)}, "公示起始日 2024-04-01 晚于表决日", "after the vote on 2024-03-20"),
        ({"matter": "budget"}, "表决 matter：未知的事项 'budget'", "vote matter: unknown matter 'budget'"),
        ({"body": "board"}, "表决 body：未知的会议 'board'", "vote body: unknown body 'board'"),
        ({"vote_date": "2024-03-20"}, "表决 vote_date：须为日期。", "vote vote_date: must be a date."),
    ],
)
def test_bad_counts_are_refused_naming_the_field_in_both_languages(given: dict[str, Any], zh: str, en: str) -> None:
    vote = _vote(**given)
    assert any(zh in p for p in vote_problems(vote)), vote_problems(vote)
    with speaking("en"):
        assert any(en in p for p in vote_problems(vote)), vote_problems(vote)
        with pytest.raises(VoteError) as error:
            decide(vote, MEETING)
        assert any(en in p for p in error.value.problems)


@pytest.mark.parametrize(
    ("rule", "zh", "en"),
    [
        ("2/3", "表决规则须为键值结构", "a vote rule is a mapping"),
        ({"bodies": {}}, "表决规则 bodies：须列出可表决的会议", "vote rule bodies: must name the bodies"),
        (
            {"bodies": {"board": {"pass": {"of": "present", "at_least": 0.5}}}},
            "bodies.board：未知的会议",
            "unknown body",
        ),
        ({"bodies": {"general": {"quorum": {"members": {"at_least": 0.5}}}}}, "须有 pass", "needs pass"),
        (
            {"bodies": {"general": {"pass": {"of": "present", "at_least": 0.5, "more_than": 0.5}}}},
            "须恰有 at_least（以上，含本数）或 more_than",
            "needs exactly one of at_least",
        ),
        (
            {"bodies": {"general": {"pass": {"of": "present", "at_least": "3/2"}}}},
            "比例须大于 0、不大于 1",
            "at most 1",
        ),
        ({"bodies": {"general": {"pass": {"of": "everyone", "at_least": 0.5}}}}, "pass.of：须为 present", "pass.of"),
        (
            {
                "bodies": {
                    "general": {"quorum": {"people": {"at_least": 0.5}}, "pass": {"of": "present", "at_least": 1}}
                }
            },
            "未知的到会计数 'people'",
            "unknown count 'people'",
        ),
        ({"notice_days": -7, "bodies": {"general": {"pass": {"of": "present", "at_least": 1}}}}, "notice_days", "days"),
        (
            {"notice": 7, "bodies": {"general": {"pass": {"of": "present", "at_least": 1}}}},
            "未知的键 'notice'",
            "notice",
        ),
    ],
)
def test_a_bad_vote_rule_is_named_by_its_key_in_both_languages(rule: object, zh: str, en: str) -> None:
    assert any(zh in p for p in vote_rule_problems(rule)), vote_rule_problems(rule)
    with speaking("en"):
        assert any(en in p for p in vote_rule_problems(rule)), vote_rule_problems(rule)


def test_a_policys_vote_rules_name_known_matters_and_fall_back_to_default() -> None:
    rules = {"default": MEETING, "partner": PARTNER, "compensation": COMPENSATION}
    assert vote_rules_problems(rules) == []
    assert rule_for(rules, "plan") is MEETING and rule_for(rules, "partner") is PARTNER
    assert rule_for({"partner": PARTNER}, "plan") is None
    assert vote_rules_problems({"budget": MEETING}) == [
        "表决规则：未知的事项 'budget'；可用的：intent、plan、conversion、compensation、partner、default。"
    ]
    assert vote_rules_problems({"plan": {"bodies": {}}})[0].startswith("plan：表决规则 bodies")


def test_the_national_vote_rule_takes_effect_with_the_collective_economic_organisation_law() -> None:
    before = resolve_policy("cn", dt.date(2025, 4, 30))
    assert "projects.vote_rules" not in before.values
    after = resolve_policy("cn", dt.date(2025, 5, 1))
    assert vote_rules_problems(after["projects.vote_rules"]) == []
    source = after.values["projects.vote_rules"].source
    assert "《中华人民共和国农村集体经济组织法》" in source and "第二十七条" in source and "第二十八条" in source
    rule = rule_for(after["projects.vote_rules"], "plan")
    assert rule is not None
    # ⅔ of all members must be present and ⅔ of all members must agree: 30 of 45 present, all for, passes …
    vote = _vote(
        body="general",
        eligible=45,
        present=30,
        for_=30,
        vote_date=dt.date(2025, 6, 1),
        notice_start=dt.date(2025, 5, 1),
    )
    assert decide(vote, rule).passed
    # … 29 for of 30 present does not (29/45 < ⅔)
    assert not decide(_vote(**{**vote.__dict__, "for_": 29}), rule).passed
