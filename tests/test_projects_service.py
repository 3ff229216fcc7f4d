"""Projects on both stores: a disposal from 认定 to 已盘活, corrections that void, two officers at
once, documents kept once by content, Dongguan's consent gate with its numbers, deadlines swept
once, the restart ban, and ID numbers never stored."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from landrenewal.domain.language import speaking
from landrenewal.domain.projects.votes import Vote
from landrenewal.importing.pipeline import ImportOptions, import_frame
from landrenewal.projects import ledger, service
from landrenewal.projects.documents import DocumentError
from landrenewal.projects.service import ActionRefused, ProjectError, Upload
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.projects import NewProject, ProjectConflict
from tests import builders

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DAY = dt.date(2024, 1, 5)
USER = "os:tester"


@pytest.fixture
def city(store: Store) -> Store:
    options = ImportOptions(today=builders.TODAY)
    import_frame(store, "divisions", builders.divisions(), "d", epsg=builders.EPSG, options=options)
    import_frame(store, "parcels", builders.parcels(4), "p", epsg=builders.EPSG, options=options)
    return store


def _parcels(n: int = 2) -> tuple[str, ...]:
    return tuple(builders.parcels(4)["parcel_code"][:n])


def _disposal(store: Store, **changes: object) -> str:
    return service.create(store, builders.disposal_project(**changes), day=DAY, user=USER)


def _pdf(kind: str, name: str = "方案.pdf", content: bytes = PDF) -> Upload:
    return Upload(kind, name, content)


def test_a_disposal_runs_from_identified_to_revitalised(city: Store) -> None:
    code = _disposal(city)
    assert code == "XM2024-0001"
    with speaking("zh"), pytest.raises(ActionRefused) as refused:
        service.act(city, code, "draw_plan", day=DAY, user=USER, role="town")
    assert refused.value.verdict.refusals == ("缺少文件：处置方案（一地一策）。", "须填写处置方式。")
    service.act(
        city,
        code,
        "draw_plan",
        day=dt.date(2024, 2, 1),
        user=USER,
        role="town",
        values={"disposal_mode": "deferred_reserve"},
        uploads=[_pdf("disposal_plan")],
    )
    with speaking("en"), pytest.raises(ActionRefused, match="your role may not take"):
        service.act(
            city,
            code,
            "approve_plan",
            day=dt.date(2024, 3, 1),
            user=USER,
            role="town",
            uploads=[_pdf("plan_approval", "审定.pdf")],
        )
    service.act(
        city,
        code,
        "approve_plan",
        day=dt.date(2024, 3, 1),
        user=USER,
        role="city",
        uploads=[_pdf("plan_approval", "审定.pdf")],
    )
    service.act(city, code, "request_acceptance", day=dt.date(2024, 9, 1), user=USER, role="town")
    service.act(
        city,
        code,
        "accept",
        day=dt.date(2024, 9, 20),
        user=USER,
        role="city",
        values={"revitalised_mu": 103.12},
        uploads=[_pdf("acceptance_record", "验收.pdf")],
    )
    with city.engine.connect() as conn:
        listed = service.listing(conn, city, dt.date(2024, 12, 31)).set_index("code")
        view = service.load(conn, city, code, dt.date(2024, 12, 31))
        stored = conn.execute(select(func.count()).select_from(schema.documents)).scalar_one()
        attached = conn.execute(select(func.count()).select_from(schema.event_documents)).scalar_one()
    assert listed.loc[code, "stage"] == "revitalised"
    assert listed.loc[code, "since"] == dt.datetime(2024, 9, 20)
    assert view.attributes["disposal_mode"] == "deferred_reserve" and view.attributes["revitalised_mu"] == 103.12
    assert view.entries["stage"].tolist() == ["identified", "planned", "implementing", "acceptance", "revitalised"]
    assert (stored, attached) == (1, 3)  # the same file three times: kept once


def test_a_wrong_entry_is_voided_with_its_reason_and_both_stay_on_record(city: Store) -> None:
    code = _disposal(city)
    service.act(
        city,
        code,
        "draw_plan",
        day=DAY,
        user=USER,
        role="town",
        values={"disposal_mode": "transfer"},
        uploads=[_pdf("disposal_plan")],
    )
    service.act(city, code, "approve_plan", day=DAY, user=USER, role="city", uploads=[_pdf("plan_approval")])
    service.record(city, code, "void", day=DAY, user=USER, reason="审定日期录错，实为未审定", target_seq=3)
    with city.engine.connect() as conn:
        view = service.load(conn, city, code, DAY)
    assert view.stage == "planned"
    assert view.events["kind"].tolist() == ["created", "action", "action", "void"]
    with speaking("en"), pytest.raises(ProjectError, match="cannot be voided"):
        service.record(city, code, "void", day=DAY, user=USER, reason="x", target_seq=4)
    with speaking("en"), pytest.raises(ProjectError, match="voided already"):
        service.record(city, code, "void", day=DAY, user=USER, reason="x", target_seq=3)
    with speaking("en"), pytest.raises(ProjectError, match="a reason is required"):
        service.record(city, code, "void", day=DAY, user=USER, reason=" ", target_seq=2)


def test_of_two_officers_acting_on_what_they_saw_the_second_is_told_to_reload(city: Store) -> None:
    code = _disposal(city)
    service.act(
        city,
        code,
        "draw_plan",
        day=DAY,
        user="os:a",
        role="town",
        seen_seq=1,
        values={"disposal_mode": "transfer"},
        uploads=[_pdf("disposal_plan")],
    )
    with pytest.raises(ProjectConflict):
        service.act(city, code, "revise_plan", day=DAY, user="os:b", role="city", seen_seq=1)
    from landrenewal.store import projects as records
    from landrenewal.store.projects import NewEvent

    with pytest.raises(ProjectConflict), city.write() as conn:  # the unique key, whatever the caller checked
        records.append(conn, 1, 1, NewEvent("note", DAY, "os:b"), dt.datetime.now(dt.UTC))


def test_a_document_is_judged_by_its_content_not_its_name(city: Store) -> None:
    code = _disposal(city)
    with speaking("en"), pytest.raises(DocumentError, match="judged by the content"):
        service.act(
            city,
            code,
            "draw_plan",
            day=DAY,
            user=USER,
            role="town",
            values={"disposal_mode": "transfer"},
            uploads=[Upload("disposal_plan", "方案.pdf", b"MZ\x90\x00 not a pdf")],
        )


def _renewal(store: Store) -> str:
    project = NewProject(
        code="DG-01",
        name="某村工业园改造单元",
        kind="renewal",
        workflow="renewal_unit",
        policy_id="gd-dongguan",
        division_code=builders.TOWN,
        parcels=_parcels(),
        renewal_type="industrial_to_industrial",
    )
    return service.create(store, project, day=dt.date(2023, 6, 1), user=USER)


def _holders(store: Store, code: str) -> list[str]:
    p1, p2 = _parcels()
    return ledger.add_holders(
        store,
        code,
        [
            ledger.Holder("张三", "household", 5000.0, persons=3, parcel_code=p1, id_number="11010519491231002X"),
            ledger.Holder("李四", "person", 3000.0, parcel_code=p2, id_number="440785198001010033"),
            ledger.Holder("某五金厂", "enterprise", 2000.0, parcel_code=p2, uscc="91440300708461136T"),
        ],
        day=dt.date(2023, 6, 2),
        user=USER,
    )


def test_dongguan_confirms_the_entity_only_when_area_and_persons_both_reach_80_percent(city: Store) -> None:
    code = _renewal(city)
    docs = [_pdf("consent_forms", "同意书.pdf"), _pdf("entity_decision", "确认.pdf")]
    act = {
        "day": dt.date(2023, 7, 1),
        "user": USER,
        "role": "town",
        "values": {"implementation_mode": "public_bidding"},
    }
    with speaking("zh"), pytest.raises(ActionRefused) as refused:
        service.act(city, code, "confirm_entity", uploads=docs, **act)  # type: ignore[arg-type]
    assert refused.value.verdict.refusals == ("尚未登记权益人",)
    h1, h2, h3 = _holders(city, code)
    ledger.record_consent(city, code, h1, "consent", day=dt.date(2023, 6, 10), user=USER)
    ledger.record_consent(city, code, h3, "consent", day=dt.date(2023, 6, 10), user=USER)
    with speaking("zh"), pytest.raises(ActionRefused) as refused:
        service.act(city, code, "confirm_entity", uploads=docs, **act)  # type: ignore[arg-type]
    assert refused.value.verdict.refusals == ("面积同意率 70.0 % < 80 %；人数同意率 80.0 % ≥ 80 %",)
    ledger.record_consent(city, code, h2, "consent", day=dt.date(2023, 6, 20), user=USER)
    ledger.record_consent(city, code, h3, "withdrawn", day=dt.date(2023, 6, 21), user=USER)
    seq = service.act(city, code, "confirm_entity", uploads=docs, **act)  # type: ignore[arg-type]
    with city.engine.connect() as conn:
        view = service.load(conn, city, code, dt.date(2023, 7, 2))
        raw = conn.execute(text("SELECT name, id_hash, id_masked FROM rights_holders ORDER BY holder_key")).all()
        audit = " ".join(str(r) for r in conn.execute(text("SELECT after FROM audit_log")).scalars())
    assert view.stage == "entity_confirmed" and seq == view.last_seq
    gates = view.events.iloc[-1]["payload"]
    assert "面积同意率 80.0 % ≥ 80 %" in gates  # the passing numbers stay on record with the event
    assert raw[0][2] == "1101**********002X" and len(raw[0][1]) == 64
    assert "11010519491231002X" not in audit and "11010519491231002X" not in str(raw)
    clocks = view.clocks.set_index("deadline")
    assert clocks.loc["rights_acquisition", "due"] == dt.datetime(2024, 7, 1)  # public bidding: 1 year


def test_a_missed_deadline_is_swept_once_and_bars_the_land_for_five_years(city: Store) -> None:
    code = _renewal(city)
    h1, h2, _ = _holders(city, code)
    for holder in (h1, h2):
        ledger.record_consent(city, code, holder, "consent", day=dt.date(2023, 6, 10), user=USER)
    docs = [_pdf("consent_forms"), _pdf("entity_decision", "确认.pdf")]
    service.act(
        city,
        code,
        "confirm_entity",
        day=dt.date(2023, 7, 1),
        user=USER,
        role="town",
        uploads=docs,
        values={"implementation_mode": "self_renewal"},
    )
    service.act(
        city,
        code,
        "approve_plan",
        day=dt.date(2023, 11, 30),
        user=USER,
        role="city",
        uploads=[_pdf("plan_approval", "批复.pdf")],
    )
    assert service.sweep(city, dt.date(2024, 2, 29), USER).empty  # due on 2024-02-29: not yet missed
    first = service.sweep(city, dt.date(2024, 3, 1), USER)
    assert first.to_dict("records") == [{"code": code, "deadline": "land_supply", "due": dt.date(2024, 2, 29)}]
    assert service.sweep(city, dt.date(2024, 3, 1), USER).empty
    assert service.sweep(city, dt.date(2024, 4, 1), USER).empty
    with speaking("zh"), pytest.raises(ProjectError, match="2029-02-28 前不得重启改造"):
        _disposal(city, kind="disposal")


def test_a_vote_is_recorded_as_counts_and_its_result_computed(city: Store) -> None:
    project = NewProject(
        code="JN-A",
        name="滘头工业园A地块",
        kind="renewal",
        workflow="collective_renewal",
        policy_id="gd-jiangmen-jiangnan",
        division_code=builders.TOWN,
        parcels=_parcels(1),
        renewal_type="village_industrial_park",
    )
    code = service.create(city, project, day=dt.date(2025, 5, 10), user=USER)
    service.act(
        city, code, "draft_plan", day=dt.date(2025, 6, 1), user=USER, role="town", uploads=[_pdf("renewal_plan")]
    )
    minutes = [_pdf("vote_minutes", "表决记录.pdf")]
    short = Vote(
        "plan", "general", dt.date(2025, 6, 20), eligible=300, present=210, for_=190, notice_start=dt.date(2025, 6, 15)
    )
    ledger.record_vote(city, code, short, user=USER)
    with speaking("zh"), pytest.raises(ActionRefused) as refused:
        service.act(
            city, code, "start_implementation", day=dt.date(2025, 6, 21), user=USER, role="town", uploads=minutes
        )
    assert "未通过" in refused.value.verdict.refusals[0]
    unanimous = Vote(
        "plan", "general", dt.date(2025, 7, 20), eligible=300, present=300, for_=300, notice_start=dt.date(2025, 7, 1)
    )
    ledger.record_vote(city, code, unanimous, user=USER)
    service.act(city, code, "start_implementation", day=dt.date(2025, 7, 21), user=USER, role="town", uploads=minutes)
    with city.engine.connect() as conn:
        assert service.load(conn, city, code, dt.date(2025, 7, 22)).stage == "implementing"


def test_a_project_on_parcels_the_store_lacks_is_refused_by_code(city: Store) -> None:
    with speaking("en"), pytest.raises(ProjectError, match="no such parcels: NOPE-1"):
        _disposal(city, parcels=("NOPE-1", _parcels(1)[0]))


def test_a_project_needs_a_town_of_the_store_and_records_only_what_its_workflow_names(city: Store) -> None:
    with speaking("en"), pytest.raises(ProjectError, match="is not a town of the store"):
        _disposal(city, division_code="440785")
    code = _disposal(city)
    with speaking("en"), pytest.raises(ProjectError, match="unknown document kind 'selfie'"):
        service.act(
            city,
            code,
            "draw_plan",
            day=DAY,
            user=USER,
            role="town",
            values={"disposal_mode": "transfer"},
            uploads=[_pdf("selfie")],
        )
    with speaking("en"), pytest.raises(ProjectError, match="records no"):
        service.act(
            city,
            code,
            "draw_plan",
            day=DAY,
            user=USER,
            role="town",
            values={"disposal_mode": "transfer", "colour": "red"},
            uploads=[_pdf("disposal_plan")],
        )
    with speaking("en"), pytest.raises(ProjectError, match="from 1 to 3650"):
        service.record(city, code, "extend", day=DAY, user=USER, reason="x", deadline="none", days=10**12)
