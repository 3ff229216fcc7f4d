"""The demo city's projects (docs/projects.md): disposals of identified land in every stage, Dongguan
renewal units with consent near the thresholds, a suspension, a voided entry, a missed deadline with
its restart ban, and a village collective's vote. Made through the service a user's commands use,
so that every event is one a user could have recorded, on dates before the city's day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from landrenewal.analysis.identification_runs import latest_identification, stored_findings
from landrenewal.domain.identity import check_char
from landrenewal.domain.projects.votes import Vote
from landrenewal.domain.units import M2_PER_MU
from landrenewal.projects import ledger, service
from landrenewal.projects.views import Upload
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table
from landrenewal.store.projects import NewProject

DISPOSAL_POLICY = "demo-enping"
RENEWAL_POLICY = "gd-dongguan"  # Dongguan's 三旧 renewal unit, gates and deadlines (东府〔2023〕4号)
COLLECTIVE_POLICY = "gd-jiangmen-jiangnan"
# Disposals run to these stages, in turn (the rest of the actions each takes, in order).
DISPOSAL_PATH = ("draw_plan", "approve_plan", "request_acceptance", "accept")
DISPOSAL_TARGETS = (0, 1, 2, 3, 4, 4, 2, 1, 0, 4, 3, 2)
MODES = ("agreed_reserve", "own_development", "transfer", "partner_redevelopment", "deferred_reserve", "legal_disposal")
SURNAMES = "陈李黄张梁吴林何郑冯谢岑唐吴"
GIVEN = "伟强明华国荣志家俊杰秀英美玲丽芳少光文锦"
# A real-looking PDF (one empty page): what a scanned approval attached to an event is, to the store.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _doc(kind: str, name: str) -> Upload:
    return Upload(kind, name, PDF)


def build_projects(
    store: Store,
    *,
    as_of: dt.date,
    seed: int = 20261123,
    actor: str = "demo",
    on_step: Callable[[str], None] | None = None,
) -> list[str]:
    """The demo projects on the latest identification's land; their codes (none without findings)."""
    step = on_step or (lambda _label: None)
    with store.engine.connect() as conn:
        run = latest_identification(conn)
        if run is None:
            return []
        findings = stored_findings(conn, store, run.id)
        parcels = read_table(conn, store, schema.parcels, ["parcel_code", "division_code", "area_m2"])
    rng = np.random.default_rng(seed)
    found = parcels[parcels["parcel_code"].isin(set(findings["parcel_code"]))].sort_values("parcel_code")
    chosen = found.iloc[rng.permutation(len(found))].reset_index(drop=True)
    made: list[str] = []
    step("处置项目")
    made += _disposals(store, chosen.iloc[: 2 * len(DISPOSAL_TARGETS)], as_of, rng, actor)
    step("改造单元")
    made += _renewals(store, chosen.iloc[2 * len(DISPOSAL_TARGETS) : 2 * len(DISPOSAL_TARGETS) + 15], as_of, rng, actor)
    step("村级工业园改造")
    made += _collective(store, chosen.iloc[2 * len(DISPOSAL_TARGETS) + 15 :], as_of, actor)
    service.sweep(store, as_of, actor)
    return made


def _town(parcel: pd.Series) -> str:
    return str(parcel["division_code"])[:9]


def _disposals(store: Store, land: pd.DataFrame, as_of: dt.date, rng: np.random.Generator, actor: str) -> list[str]:
    made = []
    for i, target in enumerate(DISPOSAL_TARGETS):
        pair = land.iloc[2 * i : 2 * i + 2]
        if pair.empty:
            break
        start = as_of - dt.timedelta(days=int(rng.integers(200, 700)))
        first = pair.iloc[0]
        code = service.create(
            store,
            NewProject(
                code="",
                name=f"{first['parcel_code'][-7:]}等低效用地处置",
                kind="disposal",
                workflow="disposal",
                policy_id=DISPOSAL_POLICY,
                division_code=_town(first),
                parcels=tuple(pair["parcel_code"]),
                responsible_unit="自然资源局土地收储及处置专班",
                responsible_person="梁志明",
            ),
            day=start,
            user=actor,
            reason="据低效用地认定结果立项（一地一策）",
        )
        day = start
        for action in DISPOSAL_PATH[:target]:
            day = min(day + dt.timedelta(days=int(rng.integers(20, 90))), as_of)
            _disposal_step(store, code, action, day, rng, actor)
        if i == 6:  # an approval entered by mistake, corrected by a void that keeps both on record
            day = min(day + dt.timedelta(days=3), as_of)
            service.act(store, code, "request_acceptance", day=day, user=actor, role="town")
            service.record(
                store,
                code,
                "void",
                day=day,
                user=actor,
                reason="误点申请验收，实际尚在实施",
                target_seq=service_last(store, code, day),
            )
        made.append(code)
    return made


def service_last(store: Store, code: str, day: dt.date) -> int:
    with store.engine.connect() as conn:
        return service.load(conn, store, code, day).last_seq


def _disposal_step(store: Store, code: str, action: str, day: dt.date, rng: np.random.Generator, actor: str) -> None:
    if action == "draw_plan":
        mode = MODES[int(rng.integers(0, len(MODES)))]
        service.act(
            store,
            code,
            action,
            day=day,
            user=actor,
            role="town",
            values={"disposal_mode": mode},
            uploads=[_doc("disposal_plan", "处置方案（一地一策）.pdf")],
        )
    elif action == "approve_plan":
        service.act(
            store, code, action, day=day, user=actor, role="city", uploads=[_doc("plan_approval", "方案审定意见.pdf")]
        )
    elif action == "request_acceptance":
        service.act(store, code, action, day=day, user=actor, role="town")
    else:
        with store.engine.connect() as conn:
            view = service.load(conn, store, code, day)
            area = (
                float(
                    read_table(
                        conn,
                        store,
                        schema.parcels,
                        ["parcel_code", "area_m2"],
                        schema.parcels.c.parcel_code.in_(view.parcels),
                    )["area_m2"].sum()
                )
                / M2_PER_MU
            )
        service.act(
            store,
            code,
            action,
            day=day,
            user=actor,
            role="city",
            values={"revitalised_mu": round(area, 2)},
            uploads=[_doc("acceptance_record", "盘活验收记录.pdf")],
        )


def _id_number(rng: np.random.Generator) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 18000)))
    body = f"440785{birth:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
    return body + check_char(body)


def _holders(
    store: Store, code: str, land: pd.DataFrame, day: dt.date, rng: np.random.Generator, actor: str
) -> list[str]:
    """Five rights holders per parcel, sharing its area; households count their co-owners."""
    people = []
    for parcel in land.to_dict("records"):
        shares = rng.dirichlet(np.ones(5)) * float(parcel["area_m2"])
        for k, share in enumerate(shares):
            name = SURNAMES[int(rng.integers(0, len(SURNAMES)))] + "".join(rng.choice(list(GIVEN), 2))
            kind = "household" if k % 2 == 0 else "person"
            people.append(
                ledger.Holder(
                    name,
                    kind,
                    round(float(share), 1),
                    persons=3 if kind == "household" else 1,
                    parcel_code=str(parcel["parcel_code"]),
                    id_number=_id_number(rng),
                )
            )
    return ledger.add_holders(store, code, people, day=day, user=actor)


def _renewals(store: Store, land: pd.DataFrame, as_of: dt.date, rng: np.random.Generator, actor: str) -> list[str]:
    """Five units of three parcels: one short of consent, one waiting for its plan, one whose land was not
    supplied within 3 months of the plan (overdue, then missed), one suspended, one completed."""
    made = []
    for i in range(5):
        unit = land.iloc[3 * i : 3 * i + 3]
        if len(unit) < 3:
            break
        start = as_of - dt.timedelta(days=500 - 40 * i)
        code = service.create(
            store,
            NewProject(
                code="",
                name=f"{_town(unit.iloc[0])[-3:]}片区第{i + 1}改造单元（工改工）",
                kind="renewal",
                workflow="renewal_unit",
                policy_id=RENEWAL_POLICY,
                division_code=_town(unit.iloc[0]),
                parcels=tuple(unit["parcel_code"]),
                renewal_type="industrial_to_industrial",
                responsible_unit="镇街城市更新专班",
                planned_investment_wan=float(rng.integers(8000, 60000)),
                target_industries="智能装备制造",
            ),
            day=start,
            user=actor,
        )
        keys = _holders(store, code, unit, start + dt.timedelta(days=5), rng, actor)
        # all but the last few consent; the first unit stays short of the threshold
        signing = keys if i else keys[: int(len(keys) * 0.7)]
        day = start + dt.timedelta(days=30)
        for key in signing:
            ledger.record_consent(store, code, key, "consent", day=day, user=actor)
        made.append(code)
        if i == 0:
            continue
        day += dt.timedelta(days=40)
        service.act(
            store,
            code,
            "confirm_entity",
            day=day,
            user=actor,
            role="town",
            values={"implementation_mode": "self_renewal" if i % 2 else "public_bidding"},
            uploads=[_doc("consent_forms", "权益人书面同意书.pdf"), _doc("entity_decision", "实施主体确认文件.pdf")],
        )
        if i == 1:
            continue
        day += dt.timedelta(days=60)
        service.act(
            store,
            code,
            "approve_plan",
            day=day,
            user=actor,
            role="city",
            uploads=[_doc("plan_approval", "实施方案批复.pdf")],
        )
        if i == 2:
            continue  # no land supplied: overdue three months on, and swept as missed
        if i == 3:
            service.record(
                store,
                code,
                "suspend",
                day=day + dt.timedelta(days=30),
                user=actor,
                reason="不可抗力：台风损毁，暂停供地程序",
            )
            continue
        day += dt.timedelta(days=45)
        service.act(
            store,
            code,
            "supply_land",
            day=day,
            user=actor,
            role="city",
            uploads=[_doc("land_contract", "国有建设用地使用权出让合同.pdf")],
        )
        service.act(
            store,
            code,
            "complete",
            day=min(day + dt.timedelta(days=200), as_of),
            user=actor,
            role="city",
            uploads=[_doc("completion_acceptance", "竣工验收备案表.pdf")],
        )
    return made


def _collective(store: Store, land: pd.DataFrame, as_of: dt.date, actor: str) -> list[str]:
    """A village collective's park: its plan put to the members' meeting, passed, and carried out."""
    if land.empty:
        return []
    parcel = land.iloc[0]
    start = as_of - dt.timedelta(days=160)
    code = service.create(
        store,
        NewProject(
            code="",
            name=f"{str(parcel['division_code'])[-3:]}村级工业园A地块升级改造",
            kind="renewal",
            workflow="collective_renewal",
            policy_id=COLLECTIVE_POLICY,
            division_code=_town(parcel),
            village_code=str(parcel["division_code"]),
            parcels=(str(parcel["parcel_code"]),),
            renewal_type="village_industrial_park",
            responsible_unit="村股份经济合作社（街道指导、联社自主开发）",
        ),
        day=start,
        user=actor,
    )
    service.act(
        store,
        code,
        "draft_plan",
        day=start + dt.timedelta(days=20),
        user=actor,
        role="town",
        uploads=[_doc("renewal_plan", "改造方案.pdf")],
    )
    vote = Vote(
        "plan",
        "general",
        start + dt.timedelta(days=60),
        eligible=412,
        present=398,
        for_=398,
        notice_start=start + dt.timedelta(days=40),
    )
    ledger.record_vote(store, code, vote, user=actor, reason="成员大会表决改造方案")
    service.act(
        store,
        code,
        "start_implementation",
        day=start + dt.timedelta(days=70),
        user=actor,
        role="town",
        uploads=[_doc("vote_minutes", "成员大会表决记录.pdf")],
    )
    return [code]
