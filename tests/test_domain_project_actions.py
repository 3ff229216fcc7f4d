"""Whether an action may be taken: stage, role, documents, fields and gates, each refusal named."""

from __future__ import annotations

import datetime as dt

from landrenewal.domain.language import speaking
from landrenewal.domain.projects.actions import judge
from landrenewal.domain.projects.gates import Facts
from landrenewal.domain.projects.outcome import Check, GateOutcome
from landrenewal.domain.projects.workflow import Workflow, workflows
from landrenewal.policies.files import resolve_policy

ON = dt.date(2024, 6, 30)


def _workflow(policy: str, wid: str) -> Workflow:
    return workflows(resolve_policy(policy, ON))[wid]


DISPOSAL = _workflow("gd-jiangmen-enping", "disposal")
COLLECTIVE = _workflow("gd-jiangmen-jiangnan", "collective_renewal")


def test_a_town_officer_draws_a_disposal_plan_with_its_mode_and_document() -> None:
    verdict = judge(
        DISPOSAL,
        "identified",
        "draw_plan",
        role="town",
        documents={"disposal_plan"},
        values={"disposal_mode": "deferred_reserve"},
        facts=Facts(),
    )
    assert verdict.allowed


def test_every_reason_a_disposal_action_is_refused_is_named_in_the_readers_language() -> None:
    with speaking("zh"):
        verdict = judge(
            DISPOSAL,
            "planned",
            "draw_plan",
            role="viewer",
            documents=set(),
            values={"disposal_mode": "lottery"},
            facts=Facts(),
        )
    assert not verdict.allowed
    assert verdict.refusals == (
        "「制定处置方案」须在认定阶段办理，项目现处于处置方案。",
        "「制定处置方案」不是本角色可办理的动作。",
        "缺少文件：处置方案（一地一策）。",
        "处置方式须为：协议收储、自主开发、依法流转、市场主体合作再开发、挂账收储、依法处置。",
    )


def test_acceptance_needs_the_area_revitalised_as_a_number() -> None:
    with speaking("en"):
        missing = judge(
            DISPOSAL, "acceptance", "accept", role="city", documents={"acceptance_record"}, values={}, facts=Facts()
        )
        negative = judge(
            DISPOSAL,
            "acceptance",
            "accept",
            role="city",
            documents={"acceptance_record"},
            values={"revitalised_mu": -3},
            facts=Facts(),
        )
    assert missing.refusals == ("Area revitalised is required.",)
    assert negative.refusals == ("Area revitalised must be a number, 0 or more.",)


def test_the_collective_implements_only_after_its_plan_is_voted_through() -> None:
    kwargs = {"role": "town", "documents": {"vote_minutes"}, "values": {}}
    with speaking("zh"):
        before = judge(COLLECTIVE, "plan_drafted", "start_implementation", facts=Facts(), **kwargs)  # type: ignore[arg-type]
        failed_vote = GateOutcome("vote", (Check(False, "赞成 60.0 % < 66.7 %", "for 60.0 % < 66.7 %"),))
        after_failed = judge(
            COLLECTIVE,
            "plan_drafted",
            "start_implementation",
            facts=Facts(votes={"plan": failed_vote}),
            **kwargs,  # type: ignore[arg-type]
        )
        passed_vote = GateOutcome("vote", (Check(True, "赞成 100.0 % ≥ 66.7 %", "for 100.0 % ≥ 66.7 %"),))
        after_passed = judge(
            COLLECTIVE,
            "plan_drafted",
            "start_implementation",
            facts=Facts(votes={"plan": passed_vote}),
            **kwargs,  # type: ignore[arg-type]
        )
    assert before.refusals == ("「实施方案」尚无表决",)
    assert after_failed.refusals == ("「实施方案」表决未通过；赞成 60.0 % < 66.7 %",)
    assert after_passed.allowed
    assert after_passed.gates[0].text == "「实施方案」表决通过；赞成 100.0 % ≥ 66.7 %"


def test_a_suspended_project_takes_no_action_until_it_resumes() -> None:
    with speaking("en"):
        verdict = judge(
            DISPOSAL,
            "identified",
            "draw_plan",
            role="town",
            documents={"disposal_plan"},
            values={"disposal_mode": "transfer"},
            facts=Facts(),
            suspended=True,
        )
    assert verdict.refusals == ("the project is suspended: resume it first.",)
