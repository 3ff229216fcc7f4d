"""The import pipeline on both stores: atomic refusal, --skip-bad, idempotent re-import, checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import shapely
from sqlalchemy import func, select

from landrenewal.domain.language import speaking
from landrenewal.importing.pipeline import ImportOptions, ImportRefused, import_file, import_frame
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table
from tests import builders, filemakers

OPTIONS = ImportOptions(today=builders.TODAY)


def _count(store: Store, kind: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.ENTITY_TABLES[kind])).scalar_one())


def _load_base(store: Store) -> None:
    import_frame(store, "divisions", builders.divisions(), "divisions", options=OPTIONS)
    import_frame(store, "parcels", builders.parcels(), "parcels", epsg=builders.EPSG, options=OPTIONS)
    import_frame(store, "enterprises", builders.enterprises(), "enterprises", options=OPTIONS)


def test_import_then_reimport_changes_nothing(store: Store) -> None:
    first = import_frame(store, "parcels", builders.parcels(), "p", epsg=builders.EPSG, options=OPTIONS)
    assert (first.changes.inserted, first.changes.updated) == (4, 0)
    again = import_frame(store, "parcels", builders.parcels(), "p", epsg=builders.EPSG, options=OPTIONS)
    assert again.changes.changed == 0
    assert again.changes.unchanged == 4
    assert store.epsg() == builders.EPSG


def test_a_changed_value_updates_only_that_row(store: Store) -> None:
    _load_base(store)
    frame = builders.parcels()
    frame.loc[2, "agreed_far"] = 1.5
    report = import_frame(store, "parcels", frame, "p", epsg=builders.EPSG, options=OPTIONS)
    assert (report.changes.inserted, report.changes.updated, report.changes.unchanged) == (0, 1, 3)
    with store.engine.connect() as conn:
        stored = read_table(conn, store, schema.parcels, ["parcel_code", "agreed_far", "geom", "area_m2"])
    stored = stored.sort_values("parcel_code", key=lambda s: s.str[-5:]).reset_index(drop=True)
    assert stored.set_index("parcel_code").loc[frame.loc[2, "parcel_code"], "agreed_far"] == 1.5
    assert shapely.equals_exact(stored["geom"].to_numpy(), builders.squares(4), tolerance=1e-6).all()
    assert stored["area_m2"].round(6).eq(10000.0).all()


def test_a_dry_run_counts_the_changes_and_writes_nothing(store: Store) -> None:
    _load_base(store)
    frame = builders.parcels()
    frame.loc[2, "agreed_far"] = 1.5
    dry = ImportOptions(today=builders.TODAY, dry_run=True)
    report = import_frame(store, "parcels", frame, "p", epsg=builders.EPSG, options=dry)
    assert (report.changes.updated, report.changes.unchanged, report.committed) == (1, 3, False)
    with store.engine.connect() as conn:
        stored = read_table(conn, store, schema.parcels, ["parcel_code", "agreed_far"])
        imports = conn.execute(select(func.count()).select_from(schema.imports)).scalar_one()
    assert 1.5 not in stored["agreed_far"].tolist() and imports == 3  # the three base imports only


def test_a_repeated_key_of_two_columns_names_the_row_it_repeats_and_the_key(store: Store, tmp_path: Path) -> None:
    _load_base(store)
    a, b = builders.enterprises()["uscc"].tolist()[:2]
    path = tmp_path / "指标.csv"
    rows = [f"{a},2024,10", f"{b},2024,20", f"{a},2025,30", f"{b},2024,40", f"{a},2024,50"]
    path.write_text("统一社会信用代码,年度,税收（万元）\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_file(store, "metrics", path, ImportOptions(today=builders.TODAY, dry_run=True))
    errors = refused.value.report.errors
    assert list(errors["row"]) == [5, 6] and set(errors["field"]) == {"uscc+year"}
    assert list(errors["reason"]) == ["与第 3 行重复", "与第 2 行重复"]
    assert list(errors["value"]) == [f"{b}|2024", f"{a}|2024"]


def test_a_bad_row_refuses_the_whole_file_and_leaves_the_store_unchanged(store: Store) -> None:
    _load_base(store)
    before = _count(store, "enterprises")
    frame = builders.enterprises(3)
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)  # duplicate key
    frame.loc[1, "uscc"] = frame.loc[1, "uscc"][:17] + ("0" if frame.loc[1, "uscc"][17] != "0" else "1")
    frame["uscc"] = frame["uscc"].where(frame.index != 2, frame["uscc"].str[:17] + "Z")
    new_one = builders.make_uscc(5)[4]
    frame = pd.concat([frame, builders.enterprises(1).assign(uscc=new_one)], ignore_index=True)
    with pytest.raises(ImportRefused) as refused:
        import_frame(store, "enterprises", frame, "ents", options=OPTIONS)
    errors = refused.value.report.errors
    assert set(errors["row"]) == {2, 3, 4}
    assert errors.set_index("row").loc[2, "reason"].startswith("校验码错误")
    assert "重复" in errors.set_index("row").loc[4, "reason"]
    assert _count(store, "enterprises") == before

    report = import_frame(
        store, "enterprises", frame, "ents", options=ImportOptions(skip_bad=True, today=builders.TODAY)
    )
    assert report.rejected_rows == 3
    assert report.changes.inserted == 1
    assert _count(store, "enterprises") == before + 1


def test_dates_in_impossible_order_and_areas_that_disagree_are_errors(store: Store) -> None:
    frame = builders.parcels()
    frame.loc[0, "supplied_date"] = pd.Timestamp("2014-01-01")  # before approval
    frame.loc[1, "registered_area_mu"] = 20.0  # geometry is 15 mu
    frame.loc[2, "completion_date"] = pd.Timestamp("2030-01-01")  # completion in the future
    with pytest.raises(ImportRefused) as refused:
        import_frame(store, "parcels", frame, "p", epsg=builders.EPSG, options=OPTIONS)
    errors = refused.value.report.errors
    fields = errors.groupby("row")["field"].agg(set).to_dict()
    assert fields == {1: {"supplied_date"}, 2: {"registered_area_mu"}, 3: {"completion_date"}}
    area_reasons = errors[errors["row"] == 2]["reason"]
    assert area_reasons.str.contains("图形面积相差").any()  # against the geometry
    assert area_reasons.str.contains("不一致").any()  # against the m² figure
    assert _count(store, "parcels") == 0


def test_dates_and_areas_that_disagree_are_said_whole_in_the_readers_language(store: Store) -> None:
    frame = builders.parcels()
    frame.loc[0, "supplied_date"] = pd.Timestamp("2014-01-01")
    frame.loc[1, "registered_area_mu"] = 20.0
    frame.loc[2, "completion_date"] = pd.Timestamp("2030-01-01")
    for language, whole in (("zh", filemakers.whole_chinese), ("en", filemakers.whole_english)):
        with speaking(language), pytest.raises(ImportRefused) as refused:
            import_frame(store, "parcels", frame, "p", epsg=builders.EPSG, options=OPTIONS)
        reasons = refused.value.report.errors["reason"]
        assert len(reasons) == 4 and all(whole(r) for r in reasons), list(reasons)
    errors = refused.value.report.errors.set_index(["row", "field"])
    assert errors.loc[(1, "supplied_date"), "reason"] == (
        'the date "Supplied" is before the date "Approved": the dates cannot be in this order'
    )
    assert "20.0000 mu vs geometry 15.00 mu" in list(errors.loc[(2, "registered_area_mu"), "value"])


def test_invalid_geometry_is_repaired_and_reported_empty_is_rejected(store: Store) -> None:
    frame = builders.parcels()
    x0, y0 = builders.ORIGIN
    bowtie = shapely.from_wkt(
        f"POLYGON(({x0} {y0}, {x0 + 100} {y0 + 100}, {x0 + 100} {y0}, {x0} {y0 + 100}, {x0} {y0}))"
    )
    frame.loc[0, "geom"] = bowtie
    frame.loc[0, ["registered_area_m2", "registered_area_mu"]] = [None, None]
    frame.loc[1, "geom"] = shapely.from_wkt("POLYGON EMPTY")
    report = import_frame(
        store, "parcels", frame, "p", epsg=builders.EPSG, options=ImportOptions(skip_bad=True, today=builders.TODAY)
    )
    problems = report.problems.set_index("row")
    assert problems.loc[1, "severity"] == "warning" and "修复" in problems.loc[1, "reason"]
    assert problems.loc[2, "severity"] == "error"
    assert report.changes.inserted == 3
    with store.engine.connect() as conn:
        stored = read_table(conn, store, schema.parcels, ["parcel_code", "geom", "area_m2"])
    repaired = stored.set_index("parcel_code").loc[frame.loc[0, "parcel_code"]]
    assert repaired["geom"].geom_type == "MultiPolygon" and repaired["geom"].is_valid
    assert repaired["area_m2"] == pytest.approx(5000.0)


def test_references_must_exist_and_shares_must_not_exceed_the_parcel(store: Store) -> None:
    _load_base(store)
    codes = builders.parcels()["parcel_code"]
    ents = builders.enterprises()["uscc"]
    occupancy = pd.DataFrame(
        {
            "uscc": [ents[0], ents[1], ents[2], builders.make_uscc(9)[8]],
            "parcel_code": [codes[0], codes[0], codes[1], codes[2]],
            "start_date": pd.to_datetime(["2018-01-01", "2019-01-01", "2018-01-01", "2018-01-01"]),
            "land_share": [0.7, "40%", 1.0, 1.0],
        }
    )
    with pytest.raises(ImportRefused) as refused:
        import_frame(store, "occupancy", occupancy, "occ", options=OPTIONS)
    errors = refused.value.report.errors.set_index("row")
    assert errors.loc[2, "field"] == "land_share"  # 0.7 + 0.4 on 2019-01-01
    assert errors.loc[4, "field"] == "uscc"
    assert 1 not in errors.index and 3 not in errors.index

    occupancy.loc[1, "land_share"] = "30%"
    report = import_frame(store, "occupancy", occupancy.iloc[:3], "occ", options=OPTIONS)
    assert report.changes.inserted == 3
    again = import_frame(store, "occupancy", occupancy.iloc[:3], "occ", options=OPTIONS)
    assert (again.changes.changed, again.changes.unchanged) == (0, 3)
    with store.engine.connect() as conn:
        shares = read_table(conn, store, schema.occupancy, ["land_share"])["land_share"]
    assert sorted(shares.round(6)) == [0.3, 0.7, 1.0]


def test_towns_imported_alone_get_their_county_from_the_national_table_and_unknown_parents_are_refused(
    store: Store,
) -> None:
    divisions = builders.divisions()
    towns = divisions[divisions["division_code"] == builders.TOWN]
    checked = import_frame(
        store, "divisions", towns, "towns", options=ImportOptions(today=builders.TODAY, dry_run=True)
    )
    assert any("恩平市" in note and "没有边界" in note for note in checked.notes)
    with store.engine.connect() as conn:
        assert read_table(conn, store, schema.divisions, ["division_code"]).empty  # the check writes nothing
    report = import_frame(store, "divisions", towns, "towns", options=OPTIONS)
    assert report.changes.inserted == 1 and any("补建上级区划 1 个" in note for note in report.notes)
    with store.engine.connect() as conn:
        stored = read_table(conn, store, schema.divisions, ["division_code", "name", "level", "parent_code", "geom"])
    county = stored.set_index("division_code").loc[builders.COUNTY]
    assert (county["name"], county["level"], county["geom"]) == ("恩平市", "county", None)
    assert stored.set_index("division_code").loc[builders.TOWN, "parent_code"] == builders.COUNTY
    again = import_frame(store, "divisions", towns, "towns", options=OPTIONS)
    assert again.changes.unchanged == 1 and not any("补建" in note for note in again.notes)

    nowhere = divisions.iloc[[2]].assign(division_code="440785999201")  # a village of a town that does not exist
    with pytest.raises(ImportRefused) as refused:
        import_frame(store, "divisions", nowhere, "div", options=OPTIONS)
    assert "国家统计局" in refused.value.report.errors.iloc[0]["reason"]
    report = import_frame(store, "divisions", builders.divisions(), "div", options=OPTIONS)
    with store.engine.connect() as conn:
        stored = read_table(conn, store, schema.divisions, ["division_code", "level", "parent_code"])
    assert stored.set_index("division_code").loc[builders.VILLAGES[0], "parent_code"] == builders.TOWN
    assert stored.set_index("division_code").loc[builders.COUNTY, "level"] == "county"
