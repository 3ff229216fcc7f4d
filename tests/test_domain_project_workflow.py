"""Workflows read from the policy files: their shape, the problems `policy check` names, the stage bar."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from landrenewal.domain.language import speaking
from landrenewal.domain.projects.workflow import Workflow, parse_workflow
from landrenewal.policies.files import resolve_policy

ON = dt.date(2024, 6, 30)


def _shipped(policy: str, name: str) -> tuple[dict[str, Any], Any]:
    resolved = resolve_policy(policy, ON)
    return copy.deepcopy(resolved[name]), resolved.__getitem__


def _parsed(policy: str, name: str) -> Workflow:
    value, lookup = _shipped(policy, name)
    workflow, problems = parse_workflow(name, value, lookup)
    assert problems == []
    assert workflow is not None
    return workflow


def _problems(value: dict[str, Any], lookup: Any, name: str = "workflows.test") -> list[str]:
    with speaking("en"):
        return parse_workflow(name, value, lookup)[1]


def test_dongguan_renewal_unit_runs_through_its_four_stages_to_completion() -> None:
    workflow = _parsed("gd-dongguan", "workflows.renewal_unit")
    assert workflow.stage_order() == [
        "preliminary",
        "entity_confirmed",
        "plan_approved",
        "supervision",
        "done",
        "closed",
    ]
    assert [a.id for a in workflow.offered("preliminary")] == ["confirm_entity", "close"]
    confirm = workflow.actions["confirm_entity"]
    assert confirm.gates[0].gate == "consent"
    assert confirm.gates[0].params["rule"] == {"area": 0.8, "persons": 0.8}  # $projects.consent_min, resolved


def test_dongguan_deadlines_take_their_numbers_from_the_cited_parameters() -> None:
    workflow = _parsed("gd-dongguan", "workflows.renewal_unit")
    supply = workflow.deadlines["land_supply"]
    assert (supply.starts, supply.ends, supply.unit, supply.amount) == ("approve_plan", ("supply_land",), "months", 3)
    assert (supply.consequence, supply.ban_years) == ("restart_ban", 5)
    rights = workflow.deadlines["rights_acquisition"]
    assert rights.applies_to({"implementation_mode": "public_bidding"})
    assert not rights.applies_to({"implementation_mode": "self_renewal"})
    assert rights.amount_for({}) == 1
    assert rights.amount_for({"old_village": True}) == 2


def test_a_disposal_runs_from_identified_to_revitalised_with_its_mode_and_area() -> None:
    workflow = _parsed("gd-jiangmen-enping", "workflows.disposal")
    assert workflow.stage_order()[:5] == ["identified", "planned", "implementing", "acceptance", "revitalised"]
    assert workflow.actions["draw_plan"].fields == ("disposal_mode",)
    assert workflow.fields["disposal_mode"].choices["deferred_reserve"] == (
        "挂账收储",
        "Deferred reserve with compensation in instalments",
    )
    assert workflow.actions["accept"].fields == ("revitalised_mu",)


def test_the_collective_renewal_waits_for_the_vote_on_its_plan() -> None:
    workflow = _parsed("gd-jiangmen-jiangnan", "workflows.collective_renewal")
    gates = workflow.actions["start_implementation"].gates
    assert [(g.gate, dict(g.params)) for g in gates] == [("vote_passed", {"matter": "plan"})]


def test_a_workflow_inherits_down_the_chain_like_any_value() -> None:
    resolved = resolve_policy("demo-enping", ON)
    assert "workflows.disposal" in resolved.values
    assert resolved.values["workflows.disposal"].defined_in == "gd-jiangmen-enping"


def test_unreachable_states_and_dead_ends_are_named() -> None:
    value, lookup = _shipped("gd-jiangmen-enping", "workflows.disposal")
    value["states"]["archived"] = {"zh": "归档", "en": "Archived"}
    problems = _problems(value, lookup)
    assert any("archived" in p and "cannot be reached" in p for p in problems)
    value["actions"]["archive"] = {
        "zh": "归档",
        "en": "Archive",
        "from": ["identified"],
        "to": "archived",
        "roles": ["city"],
    }
    assert not any("archived" in p for p in _problems(value, lookup))  # closing ("from: '*'") is a way out
    value["actions"]["close"]["from"] = ["identified", "planned", "implementing", "acceptance"]
    assert any("archived" in p and "no way out" in p for p in _problems(value, lookup))


def test_actions_to_unknown_states_unknown_roles_gates_documents_and_fields_are_named() -> None:
    value, lookup = _shipped("gd-jiangmen-enping", "workflows.disposal")
    value["actions"]["draw_plan"].update(
        {
            "to": "nowhere",
            "roles": ["town", "mayor"],
            "documents": ["photo"],
            "fields": ["colour"],
            "gates": [{"gate": "luck"}],
        }
    )
    problems = "\n".join(_problems(value, lookup))
    for expected in (
        "'nowhere' is not defined",
        "unknown role 'mayor'",
        "document kind 'photo'",
        "field 'colour'",
        "unknown gate 'luck'",
    ):
        assert expected in problems


def test_a_deadline_that_can_never_start_is_named() -> None:
    value, lookup = _shipped("gd-dongguan", "workflows.renewal_unit")
    value["deadlines"]["land_supply"]["starts"] = "approve_budget"
    assert any("can never start" in p for p in _problems(value, lookup))
    value, lookup = _shipped("gd-dongguan", "workflows.renewal_unit")
    value["states"]["limbo"] = {"zh": "搁置", "en": "Limbo"}
    value["actions"]["shelve"] = {
        "zh": "搁置",
        "en": "Shelve",
        "from": ["limbo"],
        "to": "preliminary",
        "roles": ["city"],
    }
    value["deadlines"]["land_supply"]["starts"] = "shelve"
    assert any("shelve" in p and "can never start" in p for p in _problems(value, lookup))


def test_a_reference_to_a_parameter_the_policy_lacks_is_named() -> None:
    value, lookup = _shipped("gd-dongguan", "workflows.renewal_unit")
    value["deadlines"]["land_supply"]["period"] = {"months": "$projects.no_such_period"}
    problems = _problems(value, lookup)
    assert any("projects.no_such_period" in p for p in problems)


@pytest.mark.parametrize("period", [{"months": 0}, {"months": 2, "days": 3}, {"weeks": 2}, {"months": "three"}])
def test_a_period_must_be_one_positive_whole_length(period: dict[str, Any]) -> None:
    value, lookup = _shipped("gd-dongguan", "workflows.renewal_unit")
    value["deadlines"]["land_supply"]["period"] = period
    assert _problems(value, lookup)


def test_problems_are_written_in_the_readers_language() -> None:
    value, lookup = _shipped("gd-jiangmen-enping", "workflows.disposal")
    value["actions"]["draw_plan"]["roles"] = ["mayor"]
    with speaking("zh"):
        (zh,) = parse_workflow("workflows.test", value, lookup)[1]
    assert "未知角色 'mayor'" in zh and "unknown" not in zh


def test_policy_check_names_a_broken_workflow_in_a_citys_own_file(tmp_path: Any) -> None:
    from landrenewal.domain.policy import PolicyError
    from landrenewal.policies.files import load_chain

    value, _ = _shipped("gd-jiangmen-enping", "workflows.disposal")
    value["actions"]["accept"]["to"] = "archived"
    value["deadlines"] = {
        "accept_in_time": {
            "zh": "验收",
            "en": "Acceptance",
            "starts": "approve_plan",
            "ends": ["accept"],
            "period": {"months": "$no.such_parameter"},
        }
    }
    import yaml

    own = tmp_path / "my-county.yaml"
    own.write_text(
        yaml.safe_dump(
            {
                "id": "my-county",
                "name": "某县",
                "parent": "gd-jiangmen-enping",
                "parameters": {
                    "workflows.disposal": {
                        "values": [
                            {
                                "from": dt.date(2025, 1, 1),
                                "value": value,
                                "source": "某县人民政府办公室《某县低效用地处置办法》（某府办〔2025〕1号）",
                            }
                        ]
                    }
                },
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    with speaking("en"), pytest.raises(PolicyError) as raised:
        load_chain(str(own))
    text = "\n".join(raised.value.problems)
    assert "from 2025-01-01" in text
    assert "the to state 'archived' is not defined" in text
    assert "no.such_parameter" in text
