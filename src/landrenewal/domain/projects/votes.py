"""Collective votes (表决) on a renewal matter: whether a recorded vote passed under the policy's rule
and the collective's charter (docs/consent.md). The result is computed from the counts, never typed.

A vote is taken by a **body** — ``general`` 成员大会 (the members' general meeting),
``representatives`` 成员代表会议（成员代表大会）, ``joint`` 党员代表及股民代表联席会议, ``affected``
(the persons a compensation plan rehouses, voting as such) — on a **matter**: ``intent`` 改造意愿,
``plan`` 实施方案, ``conversion`` 集体建设用地转国有及补偿安置方式, ``compensation`` 补偿安置方案,
``partner`` 合作企业.

A **vote rule** is policy data, one per matter (a parameter holds a mapping of matters to rules, with
``default`` for the matters it does not name)::

    notice_days: 10                   # the notice (通知/公示) runs at least this many days before the vote
    bodies:                           # the bodies that may decide the matter; any other may not
      general:
        quorum:                       # any one alternative suffices (members present, households present)
          members: {at_least: 1/2}
          households: {at_least: 2/3}
        pass: {of: present, at_least: 2/3}   # votes for, over: present | eligible | affected
      representatives:
        quorum: {members: {at_least: 2/3}}
        pass: {of: present, at_least: 2/3}

A threshold is ``{at_least: r}`` (以上: the number itself counts, 民法典 第一千二百五十九条) or
``{more_than: r}`` (超过、过半数: strictly more); ``r`` is a number or a fraction written ``"2/3"``. Counts
are compared with fractions exactly, in integers: 2 of 3 present IS two thirds, 2 of 4 is not more
than half. ``quorum`` and ``pass`` may also be lists, each entry of which must hold: that is how a
charter's stricter rule merged over the policy's is written (:func:`with_charter`).

A notice period counts as the law counts periods (民法典 第二百零一条): the starting day is not
counted, so a notice from 1 March has run 7 days on 8 March; a vote inside the notice period fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from landrenewal.domain.language import say
from landrenewal.domain.projects.outcome import Check, GateOutcome, percent
from landrenewal.domain.projects.ratios import ratio_text, read_ratio

BODIES: dict[str, tuple[str, str]] = {
    "general": ("成员大会", "the members' general meeting"),
    "representatives": ("成员代表会议", "the members' representatives' meeting"),
    "joint": ("党员代表及股民代表联席会议", "the joint meeting of Party member and shareholder representatives"),
    "affected": ("被拆迁安置人表决", "the vote of the persons to be rehoused"),
}
MATTERS: dict[str, tuple[str, str]] = {
    "intent": ("改造意愿", "renewal intent"),
    "plan": ("实施方案", "implementation plan"),
    "conversion": ("集体建设用地转国有及补偿安置方式", "conversion to state land and the compensation mode"),
    "compensation": ("补偿安置方案", "compensation plan"),
    "partner": ("合作企业", "partner enterprise"),
}
DEFAULT_MATTER = "default"
QUORUM_BASES = ("members", "households")
PASS_BASES = ("present", "eligible", "affected")
_COUNTS = ("eligible", "present", "for_", "against", "abstain")
_OPTIONAL_COUNTS = ("households_eligible", "households_present", "affected")


class VoteError(ValueError):
    """A vote or a rule that cannot be decided on; ``problems`` says why, each in the reader's language."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


# ---------------------------------------------------------------------------------------------
# the vote


@dataclass(frozen=True)
class Vote:
    """One recorded vote: who could vote, who came, how they voted, and the notice before it.

    ``eligible`` and ``present`` count members for a general meeting and representatives for a
    representatives' meeting; ``households_*`` count households (户) where the quorum may be met by
    households; ``affected`` is the number of all persons a compensation plan rehouses."""

    matter: str
    body: str
    vote_date: dt.date
    eligible: int
    present: int
    for_: int
    against: int = 0
    abstain: int = 0
    notice_start: dt.date | None = None
    notice_end: dt.date | None = None
    households_eligible: int | None = None
    households_present: int | None = None
    affected: int | None = None


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def vote_problems(vote: Vote) -> list[str]:
    """What makes a recorded vote impossible, each problem naming its field; empty when sound."""
    problems = []
    if vote.matter not in MATTERS:
        problems.append(
            say(
                f"表决 matter：未知的事项 {vote.matter!r}；可用的：{'、'.join(MATTERS)}。",
                f"vote matter: unknown matter {vote.matter!r}; known: {', '.join(MATTERS)}.",
            )
        )
    if vote.body not in BODIES:
        problems.append(
            say(
                f"表决 body：未知的会议 {vote.body!r}；可用的：{'、'.join(BODIES)}。",
                f"vote body: unknown body {vote.body!r}; known: {', '.join(BODIES)}.",
            )
        )
    if not _is_date(vote.vote_date):
        problems.append(say("表决 vote_date：须为日期。", "vote vote_date: must be a date."))
    for name in _COUNTS:
        if not _is_count(getattr(vote, name)):
            problems.append(
                say(
                    f"表决 {name}：须为不小于 0 的整数，实为 {getattr(vote, name)!r}。",
                    f"vote {name}: must be a whole number, 0 or more; got {getattr(vote, name)!r}.",
                )
            )
    for name in _OPTIONAL_COUNTS:
        value = getattr(vote, name)
        if value is not None and not _is_count(value):
            problems.append(
                say(
                    f"表决 {name}：须为不小于 0 的整数或留空，实为 {value!r}。",
                    f"vote {name}: must be a whole number, 0 or more, or empty; got {value!r}.",
                )
            )
    for name in ("notice_start", "notice_end"):
        value = getattr(vote, name)
        if value is not None and not _is_date(value):
            problems.append(say(f"表决 {name}：须为日期或留空。", f"vote {name}: must be a date or empty."))
    if problems:
        return problems  # the comparisons below need sound values
    if vote.present > vote.eligible:
        problems.append(
            say(
                f"表决 present：到会 {vote.present} 人多于应到 {vote.eligible} 人（eligible）。",
                f"vote present: {vote.present} present is more than the {vote.eligible} eligible.",
            )
        )
    cast = vote.for_ + vote.against + vote.abstain
    if cast > vote.present:
        problems.append(
            say(
                f"表决 for_、against、abstain：同意、反对、弃权合计 {cast} 票，多于到会 {vote.present} 人（present）。",
                f"vote for_, against, abstain: {cast} votes in all, more than the {vote.present} present.",
            )
        )
    if (vote.households_present is None) != (vote.households_eligible is None):
        problems.append(
            say(
                "表决 households_present、households_eligible：户数须两项都填或都不填。",
                "vote households_present, households_eligible: give both household counts or neither.",
            )
        )
    elif (
        vote.households_present is not None
        and vote.households_eligible is not None
        and vote.households_present > vote.households_eligible
    ):
        present, eligible = vote.households_present, vote.households_eligible
        problems.append(
            say(
                f"表决 households_present：到会 {present} 户多于应到 {eligible} 户。",
                f"vote households_present: {present} households present is more than the {eligible} eligible.",
            )
        )
    if vote.affected is not None and vote.for_ > vote.affected:
        problems.append(
            say(
                f"表决 affected：同意 {vote.for_} 票多于被拆迁安置总人数 {vote.affected} 人。",
                f"vote affected: {vote.for_} votes for is more than the {vote.affected} affected persons.",
            )
        )
    start, end = vote.notice_start, vote.notice_end
    if start is None and end is not None:
        problems.append(
            say("表决 notice_start：有公示截止日须有起始日。", "vote notice_start: a notice with an end needs a start.")
        )
    if start is not None and end is not None and end < start:
        problems.append(
            say(
                f"表决 notice_end：公示截止日 {end} 早于起始日 {start}。",
                f"vote notice_end: the notice ends on {end}, before it starts on {start}.",
            )
        )
    if start is not None and start > vote.vote_date:
        problems.append(
            say(
                f"表决 notice_start：公示起始日 {start} 晚于表决日 {vote.vote_date}。",
                f"vote notice_start: the notice starts on {start}, after the vote on {vote.vote_date}.",
            )
        )
    return problems


# ---------------------------------------------------------------------------------------------
# rules


@dataclass(frozen=True)
class Threshold:
    """At least (以上) or more than (超过) a fraction: compared in integers, never in floats."""

    minimum: Fraction
    strict: bool = False

    def met(self, count: int, base: int) -> bool:
        if base <= 0:
            return False
        left, right = count * self.minimum.denominator, self.minimum.numerator * base
        return left > right if self.strict else left >= right

    def at_least_as_strict_as(self, other: Threshold) -> bool:
        """Whatever meets this meets ``other``."""
        return self.minimum > other.minimum or (self.minimum == other.minimum and (self.strict or not other.strict))

    def words(self, met: bool) -> str:
        sign = (">" if met else "≤") if self.strict else ("≥" if met else "<")
        return f"{sign} {ratio_text(self.minimum)}"

    def as_mapping(self) -> dict[str, str]:
        return {"more_than" if self.strict else "at_least": f"{self.minimum.numerator}/{self.minimum.denominator}"}


@dataclass(frozen=True)
class PassRule:
    of: str  # present | eligible | affected
    threshold: Threshold

    def implies(self, other: PassRule) -> bool:
        """Whatever meets this meets ``other`` (for/eligible ≥ r gives for/present ≥ r, as present ≤ eligible)."""
        same_base = self.of == other.of or (self.of == "eligible" and other.of == "present")
        return same_base and self.threshold.at_least_as_strict_as(other.threshold)


Quorum = Mapping[str, Threshold]  # alternatives: any one suffices


def _quorum_implies(one: Quorum, other: Quorum) -> bool:
    """Whatever meets ``one`` meets ``other``: each alternative of ``one`` is at least as strict as
    ``other``'s alternative on the same count."""
    return all(basis in other and t.at_least_as_strict_as(other[basis]) for basis, t in one.items())


@dataclass(frozen=True)
class BodyRule:
    quorum: tuple[Quorum, ...]  # each must hold; none: no quorum
    passing: tuple[PassRule, ...]  # each must hold


@dataclass(frozen=True)
class VoteRule:
    bodies: Mapping[str, BodyRule]
    notice_days: int | None = None

    @classmethod
    def parse(cls, rule: Mapping[str, Any], *, charter: bool = False) -> VoteRule:
        """A rule mapping read into its parts; VoteError listing every problem when it is not one.
        A ``charter`` may leave ``bodies`` out (it then tightens only the notice)."""
        problems = vote_rule_problems(rule, charter=charter)
        if problems:
            raise VoteError(problems)
        bodies = {}
        for body, part in (rule.get("bodies") or {}).items():
            quorum = part.get("quorum") or []
            passing = part["pass"]
            bodies[str(body)] = BodyRule(
                quorum=tuple(
                    {str(b): _threshold(t) for b, t in q.items()}
                    for q in (quorum if isinstance(quorum, list) else [quorum])
                ),
                passing=tuple(
                    PassRule(str(p["of"]), _threshold(p)) for p in (passing if isinstance(passing, list) else [passing])
                ),
            )
        return cls(bodies, rule.get("notice_days"))

    def as_mapping(self) -> dict[str, Any]:
        """The rule written back in the policy schema (lists where a part has several entries)."""

        def one_or_list(items: list[Any]) -> Any:
            return items[0] if len(items) == 1 else items

        bodies: dict[str, Any] = {}
        for name, body in self.bodies.items():
            written: dict[str, Any] = {}
            if body.quorum:
                written["quorum"] = one_or_list([{b: t.as_mapping() for b, t in q.items()} for q in body.quorum])
            written["pass"] = one_or_list([{"of": p.of, **p.threshold.as_mapping()} for p in body.passing])
            bodies[name] = written
        rule: dict[str, Any] = {"bodies": bodies}
        if self.notice_days is not None:
            rule["notice_days"] = self.notice_days
        return rule


def _threshold(part: Mapping[str, Any]) -> Threshold:
    if "more_than" in part:
        found = read_ratio(part["more_than"])
        assert found is not None
        return Threshold(found, strict=True)
    found = read_ratio(part["at_least"])
    assert found is not None
    return Threshold(found)


def _threshold_problems(where: str, part: object, extra: tuple[str, ...] = ()) -> list[str]:
    keys = ("at_least", "more_than", *extra)
    if not isinstance(part, Mapping) or len([k for k in ("at_least", "more_than") if k in part]) != 1:
        return [
            say(
                f"表决规则 {where}：须恰有 at_least（以上，含本数）或 more_than（超过，不含本数）之一，"
                "如 {at_least: 2/3}。",
                f"vote rule {where}: needs exactly one of at_least (the number itself counts) and more_than "
                "(strictly more), such as {at_least: 2/3}.",
            )
        ]
    problems = []
    for key in sorted(set(map(str, part)) - set(keys)):
        problems.append(
            say(
                f"表决规则 {where}：未知的键 {key!r}；可用的键：{'、'.join(keys)}。",
                f"vote rule {where}: unknown key {key!r}; allowed: {', '.join(keys)}.",
            )
        )
    value = part.get("at_least", part.get("more_than"))
    if read_ratio(value) is None:
        problems.append(
            say(
                f'表决规则 {where}：比例须大于 0、不大于 1，如 0.8 或 "2/3"，实为 {value!r}。',
                f'vote rule {where}: the ratio must be above 0 and at most 1, such as 0.8 or "2/3"; got {value!r}.',
            )
        )
    return problems


def _entries(part: object) -> list[object]:
    return list(part) if isinstance(part, list) else [part]


def vote_rule_problems(rule: object, *, charter: bool = False) -> list[str]:
    """What is wrong with one matter's vote rule (``policy check`` reports these); empty when sound.
    A ``charter`` (a collective's own stricter rule) may leave ``bodies`` out."""
    if not isinstance(rule, Mapping):
        return [
            say(
                "表决规则须为键值结构，含 bodies（可表决的会议及其到会、通过要求）。",
                "a vote rule is a mapping with bodies (the bodies that may vote, their quorum and pass threshold).",
            )
        ]
    problems = []
    for key in sorted(set(map(str, rule)) - {"bodies", "notice_days"}):
        problems.append(
            say(
                f"表决规则：未知的键 {key!r}；可用的键：bodies、notice_days。",
                f"vote rule: unknown key {key!r}; allowed: bodies, notice_days.",
            )
        )
    if "notice_days" in rule and not _is_count(rule["notice_days"]):
        problems.append(
            say(
                f"表决规则 notice_days：须为不小于 0 的整数（日），实为 {rule['notice_days']!r}。",
                f"vote rule notice_days: must be a whole number of days, 0 or more; got {rule['notice_days']!r}.",
            )
        )
    bodies = rule.get("bodies")
    if charter and bodies is None:
        return problems
    if not isinstance(bodies, Mapping) or not bodies:
        problems.append(
            say(
                f"表决规则 bodies：须列出可表决的会议（{'、'.join(BODIES)}）及其要求。",
                f"vote rule bodies: must name the bodies that may vote ({', '.join(BODIES)}) and their requirements.",
            )
        )
        return problems
    for body, part in bodies.items():
        where = f"bodies.{body}"
        if body not in BODIES:
            problems.append(
                say(
                    f"表决规则 {where}：未知的会议；可用的：{'、'.join(BODIES)}。",
                    f"vote rule {where}: unknown body; known: {', '.join(BODIES)}.",
                )
            )
            continue
        if not isinstance(part, Mapping) or "pass" not in part:
            problems.append(
                say(
                    f"表决规则 {where}：须有 pass（通过比例），可有 quorum（到会要求）。",
                    f"vote rule {where}: needs pass (the share of votes for) and may have quorum.",
                )
            )
            continue
        for key in sorted(set(map(str, part)) - {"quorum", "pass"}):
            problems.append(
                say(
                    f"表决规则 {where}：未知的键 {key!r}；可用的键：quorum、pass。",
                    f"vote rule {where}: unknown key {key!r}; allowed: quorum, pass.",
                )
            )
        for i, quorum in enumerate(_entries(part.get("quorum") or [])):
            here = f"{where}.quorum" if not isinstance(part.get("quorum"), list) else f"{where}.quorum[{i + 1}]"
            if not isinstance(quorum, Mapping) or not quorum:
                problems.append(
                    say(
                        f"表决规则 {here}：须为 members 和/或 households 的比例，如 {{members: {{at_least: 1/2}}}}。",
                        f"vote rule {here}: must give members and/or households, such as "
                        "{members: {at_least: 1/2}}.",
                    )
                )
                continue
            for basis, threshold in quorum.items():
                if basis not in QUORUM_BASES:
                    problems.append(
                        say(
                            f"表决规则 {here}：未知的到会计数 {basis!r}；可用的：{'、'.join(QUORUM_BASES)}。",
                            f"vote rule {here}: unknown count {basis!r}; known: {', '.join(QUORUM_BASES)}.",
                        )
                    )
                else:
                    problems += _threshold_problems(f"{here}.{basis}", threshold)
        for i, passing in enumerate(_entries(part["pass"])):
            here = f"{where}.pass" if not isinstance(part["pass"], list) else f"{where}.pass[{i + 1}]"
            problems += _threshold_problems(here, passing, ("of",))
            if isinstance(passing, Mapping) and passing.get("of") not in PASS_BASES:
                problems.append(
                    say(
                        f"表决规则 {here}.of：须为 {'、'.join(PASS_BASES)} 之一"
                        "（同意票占到会、应到或被拆迁安置总人数）。",
                        f"vote rule {here}.of: must be one of {', '.join(PASS_BASES)} (votes for over those "
                        "present, all entitled, or all affected persons).",
                    )
                )
    return problems


def vote_rules_problems(rules: object) -> list[str]:
    """What is wrong with a policy's vote rules (matter → rule, with ``default``)."""
    if not isinstance(rules, Mapping) or not rules:
        return [
            say(
                f"表决规则须为“事项: 规则”的键值结构，事项为 {'、'.join(MATTERS)} 或 default。",
                f"vote rules must map matters ({', '.join(MATTERS)} or default) to rules.",
            )
        ]
    problems = []
    for matter, rule in rules.items():
        if matter != DEFAULT_MATTER and matter not in MATTERS:
            problems.append(
                say(
                    f"表决规则：未知的事项 {matter!r}；可用的：{'、'.join(MATTERS)}、default。",
                    f"vote rules: unknown matter {matter!r}; known: {', '.join(MATTERS)}, default.",
                )
            )
            continue
        problems += [say(f"{matter}：{p}", f"{matter}: {p}") for p in vote_rule_problems(rule)]
    return problems


def rule_for(rules: Mapping[str, Any], matter: str) -> Mapping[str, Any] | None:
    """The rule a policy's vote rules set for ``matter`` (its own, else ``default``); None when neither."""
    found = rules.get(matter, rules.get(DEFAULT_MATTER))
    return found if isinstance(found, Mapping) else None


def with_charter(rule: VoteRule | Mapping[str, Any], charter: VoteRule | Mapping[str, Any]) -> VoteRule:
    """The policy's rule with a collective's charter merged over it: the stricter wins, key by key.

    - ``notice_days``: the longer notice.
    - ``bodies``: a body the charter does not name keeps the policy's rule; a body the policy does
      not name cannot decide the matter, whatever the charter says (a charter only tightens).
    - ``quorum`` of a body both name: both must hold, and an alternative set implied by a stricter
      one is dropped (members ≥ ⅔ implies "members ≥ ½ or households ≥ ⅔").
    - ``pass``: both must hold, and a threshold implied by a stricter one is dropped: a higher share,
      ``more_than`` over ``at_least`` of the same share, and a share of all entitled (``eligible``) over
      the same share of those present.

    So a charter asking ⅔ of those present where the policy asks half keeps ⅔; one asking more than
    half of all members keeps that in place of half of those present; where neither implies the
    other, both stay and a vote must meet both."""
    policy = rule if isinstance(rule, VoteRule) else VoteRule.parse(rule)
    own = charter if isinstance(charter, VoteRule) else VoteRule.parse(charter, charter=True)
    notice = [d for d in (policy.notice_days, own.notice_days) if d is not None]
    bodies = {}
    for name, body in policy.bodies.items():
        extra = own.bodies.get(name)
        if extra is None:
            bodies[name] = body
            continue
        quorum = _strictest(list(body.quorum) + list(extra.quorum), _quorum_implies)
        passing = _strictest(list(body.passing) + list(extra.passing), PassRule.implies)
        bodies[name] = BodyRule(tuple(quorum), tuple(passing))
    return VoteRule(bodies, max(notice) if notice else None)


def _strictest(items: list[Any], implies: Any) -> list[Any]:
    """The items no other item implies (of two that imply each other, the first)."""
    kept: list[Any] = []
    for i, item in enumerate(items):
        dominated = any(
            implies(other, item) and (not implies(item, other) or j < i) for j, other in enumerate(items) if j != i
        )
        if not dominated:
            kept.append(item)
    return kept


# ---------------------------------------------------------------------------------------------
# deciding


def _share(count: int, base: int, threshold: Threshold) -> tuple[bool, str]:
    met = threshold.met(count, base)
    return met, f"{percent(count / base, up=met) if base else '—'} {threshold.words(met)}"


_QUORUM_NAMES = {"members": ("到会人数", "present"), "households": ("到会户数", "households present")}


def _quorum_check(vote: Vote, quorum: Quorum) -> Check:
    met_any = False
    parts_zh, parts_en = [], []
    for basis, threshold in quorum.items():
        if basis == "households" and (vote.households_present is None or vote.households_eligible is None):
            parts_zh.append("未记录户数")
            parts_en.append("households not recorded")
            continue
        present, eligible = (
            (vote.present, vote.eligible)
            if basis == "members"
            else (vote.households_present or 0, vote.households_eligible or 0)
        )
        met, words = _share(present, eligible, threshold)
        met_any = met_any or met
        name_zh, name_en = _QUORUM_NAMES[basis]
        parts_zh.append(f"{name_zh} {present}/{eligible}（{words}）")
        parts_en.append(f"{name_en} {present} of {eligible} ({words})")
    return Check(met_any, f"到会要求：{'，或'.join(parts_zh)}", f"quorum: {', or '.join(parts_en)}")


def _pass_check(vote: Vote, rule: PassRule) -> Check:
    base = {"present": vote.present, "eligible": vote.eligible, "affected": vote.affected}[rule.of]
    name_zh, name_en = {
        "present": ("到会", "present"),
        "eligible": ("应到", "entitled"),
        "affected": ("被拆迁安置总人数", "affected in all"),
    }[rule.of]
    if base is None:
        return Check(
            False, "同意票：未记录被拆迁安置总人数", "votes for: the number of affected persons is not recorded"
        )
    met, words = _share(vote.for_, base, rule.threshold)
    return Check(
        met,
        f"同意 {vote.for_} 票，占{name_zh} {base} 人的 {words}",
        f"{vote.for_} for of {base} {name_en}, {words}",
    )


def _notice_checks(vote: Vote, days: int) -> list[Check]:
    start, end = vote.notice_start, vote.notice_end or vote.vote_date
    if start is None:
        return [
            Check(False, f"公示：未记录起始日（须满 {days} 日）", f"notice: no start recorded ({days} days needed)")
        ]
    checks = []
    if end > vote.vote_date:
        checks.append(
            Check(
                False,
                f"表决日 {vote.vote_date} 在公示期内（公示至 {end}）",
                f"the vote on {vote.vote_date} fell within the notice period (until {end})",
            )
        )
    ran = (min(end, vote.vote_date) - start).days  # the starting day is not counted
    sign = "≥" if ran >= days else "<"
    checks.append(
        Check(
            ran >= days,
            f"公示 {ran} 日（自 {start} 起）{sign} {days} 日",
            f"notice of {ran} days (from {start}) {sign} {days} days",
        )
    )
    return checks


def decide(vote: Vote, rule: VoteRule | Mapping[str, Any]) -> GateOutcome:
    """Whether ``vote`` passed under ``rule`` (one matter's rule, a charter already merged over it
    with :func:`with_charter` where the collective has one): the body may decide the matter, each
    quorum and pass threshold is met, the notice ran long enough before the vote. Each check is
    worded with its counts; VoteError when the vote's figures cannot be right."""
    problems = vote_problems(vote)
    if problems:
        raise VoteError(problems)
    parsed = rule if isinstance(rule, VoteRule) else VoteRule.parse(rule)
    body = parsed.bodies.get(vote.body)
    checks: list[Check] = []
    if body is None:
        allowed_zh = "、".join(BODIES[b][0] for b in parsed.bodies)
        allowed_en = ", ".join(BODIES[b][1] for b in parsed.bodies)
        checks.append(
            Check(
                False,
                f"{MATTERS[vote.matter][0]}不由{BODIES[vote.body][0]}表决（可表决的：{allowed_zh}）",
                f"the {MATTERS[vote.matter][1]} is not for {BODIES[vote.body][1]} to decide (it is for: {allowed_en})",
            )
        )
    else:
        checks += [_quorum_check(vote, quorum) for quorum in body.quorum]
        checks += [_pass_check(vote, passing) for passing in body.passing]
    if parsed.notice_days is not None:
        checks += _notice_checks(vote, parsed.notice_days)
    return GateOutcome(f"vote:{vote.matter}", tuple(checks))


def verdict(outcome: GateOutcome) -> str:
    """通过, or 未通过 with each failed check, in the reader's language."""
    if outcome.passed:
        return say("通过", "passed")
    failed = [c for c in outcome.checks if not c.passed]
    return say("未通过：" + "；".join(c.zh for c in failed), "not passed: " + "; ".join(c.en for c in failed))
