"""The privacy rule through the API, as a town officer: orders, aggregates, zones, cross-town land.

The demo city is served on the embedded store; an enterprise of another town is put on a parcel of
the officer's town first, as happens when a firm rents across a town line.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import httpx
import openpyxl
import pandas as pd
import pytest

from landrenewal.analysis.evaluation_runs import enterprise_results
from landrenewal.analysis.identification_runs import latest_identification
from landrenewal.domain.privacy import figures_owner
from landrenewal.importing.pipeline import ImportOptions, ImportRefused, import_frame
from landrenewal.store import schema
from landrenewal.store.engine import open_store
from landrenewal.store.frames import read_table
from tests.web_city import Served, build_city, logged_in, serve

RESTRICTED = "无权查看"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    location = str(tmp_path_factory.mktemp("privacy") / "city.gpkg")
    build_city(location)
    store = open_store(location)
    with store.engine.connect() as conn:
        parcels = read_table(conn, store, schema.parcels, ["parcel_code", "division_code", "supplied_date"])
        occupancy = read_table(conn, store, schema.occupancy, ["uscc", "parcel_code", "end_date"])
        companies = read_table(conn, store, schema.enterprises, ["uscc", "division_code"])
        metrics = read_table(conn, store, schema.metrics, ["uscc", "year"])
    town = "440785001"  # 恩城街道, the demo town officer's
    held = set(occupancy["parcel_code"])  # ever held: a new tenant must not overlap an old one
    supplied = parcels["supplied_date"].notna() & (parcels["supplied_date"] < pd.Timestamp("2025-01-01"))
    free = parcels[parcels["division_code"].str.startswith(town) & ~parcels["parcel_code"].isin(held) & supplied]
    outsiders = companies[~companies["division_code"].str.startswith(town) & companies["uscc"].isin(metrics["uscc"])]
    parcel, outsider = str(free["parcel_code"].iloc[0]), str(outsiders["uscc"].iloc[0])
    start = (pd.Timestamp(free["supplied_date"].iloc[0]) + pd.Timedelta(days=1)).date().isoformat()
    row = {"uscc": outsider, "parcel_code": parcel, "start_date": start, "land_share": 0.4, "tenure": "rented"}
    try:
        import_frame(store, "occupancy", pd.DataFrame([row]), "cross-town", options=ImportOptions())
    except ImportRefused as refused:
        raise AssertionError(refused.report.errors.to_string()) from None
    store.dispose()
    return {"location": location, "town": town, "parcel": parcel, "outsider": outsider}


@pytest.fixture(scope="module")
def served(city: dict[str, str]) -> Iterator[Served]:
    with serve(city["location"]) as s:
        yield s


@pytest.fixture(scope="module")
def town(served: Served) -> Iterator[httpx.Client]:
    with logged_in(served.url, "town") as client:
        yield client


@pytest.fixture(scope="module")
def admin(served: Served) -> Iterator[httpx.Client]:
    with logged_in(served.url, "admin") as client:
        yield client


def _all(client: httpx.Client, path: str, **params: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    page = 1
    while True:
        answer = client.get(path, params={"page_size": "500", "page": str(page), **params})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["items"]
        if len(items) >= body["total"]:
            return items
        page += 1


@pytest.mark.parametrize(
    ("path", "column", "key"),
    [
        ("/api/enterprises", "tax_wan", "uscc"),
        ("/api/enterprises", "score", "uscc"),
        ("/api/evaluation/results", "tax_per_mu", "uscc"),
        ("/api/evaluation/results", "rd_share", "uscc"),
        ("/api/metrics", "tax_wan", "uscc"),
        ("/api/metrics", "employees_avg", "uscc"),
    ],
)
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_rows_the_officer_may_not_see_come_after_its_own_in_key_order_whatever_the_hidden_values(
    town: httpx.Client, path: str, column: str, key: str, order: str
) -> None:
    rows = _all(town, path, sort=column, order=order)
    hidden = [i for i, r in enumerate(rows) if r["restricted"]]
    assert hidden and len(hidden) < len(rows), "the demo city has rows of both kinds"
    assert hidden == list(range(len(rows) - len(hidden), len(rows))), "hidden rows are interleaved by value"
    keys = [str(rows[i][key]) for i in hidden]
    assert keys == sorted(keys)
    assert all(rows[i][column] is None for i in hidden)
    seen = [r[column] for r in rows if not r["restricted"] and r[column] is not None]
    assert seen == sorted(seen, reverse=order == "desc")


def test_an_export_sorted_by_a_private_column_keeps_the_hidden_rows_apart(town: httpx.Client) -> None:
    answer = town.get("/api/enterprises/export", params={"sort": "tax_wan", "order": "desc", "format": "xlsx"})
    assert answer.status_code == 200
    sheets = openpyxl.load_workbook(io.BytesIO(answer.content)).worksheets
    rows = next(r for r in (list(s.iter_rows(values_only=True)) for s in sheets) if "统一社会信用代码" in r[0])
    start = 0
    tax = rows[start].index("税收（万元）")
    values = [row[tax] for row in rows[start + 1 :]]
    first_blank = values.index(None)
    assert all(v is None for v in values[first_blank:])


def test_an_industry_mean_shows_only_when_it_pools_none_or_three_hidden_units(
    town: httpx.Client, admin: httpx.Client, city: dict[str, str]
) -> None:
    store = open_store(city["location"], create=False)
    with store.engine.connect() as conn:
        run = latest_identification(conn)
        assert run is not None and run.evaluation_run_id is not None
        members = enterprise_results(conn, store, run.evaluation_run_id)
        towns = read_table(conn, store, schema.enterprises, ["uscc", "division_code"])
    store.dispose()
    members = members.drop(columns=["division_code"]).merge(towns, on="uscc")
    members["owner"] = figures_owner(members["division_code"], members["unit_key"])
    units = members.drop_duplicates("unit_key")
    group = units["list"] + "|" + units["industry_code"].str[:2]
    unit_group = dict(zip(units["unit_key"], group, strict=True))
    rated = (units["status"] == "rated").to_numpy()
    others = ~units["owner"].fillna("").str.startswith(city["town"]).to_numpy()
    hidden_per_group = pd.Series(rated & others).groupby(group.to_numpy()).sum()
    findings = _all(town, "/api/findings", rule="local.tax_per_mu_below_industry_share")
    shown = blanked = 0
    for finding in findings:
        if finding["restricted"]:
            assert "同行业亩均税收平均值（万元/亩）: 无权查看" in str(finding["evidence"])
            continue
        evidence = str(finding["evidence"])
        unit = evidence.split("评价单元: ")[1].split("；")[0]
        hidden = int(hidden_per_group[unit_group[unit]])
        if hidden == 0 or hidden >= 3:
            shown += 1
            assert f"认定限值: {RESTRICTED}" not in evidence
        else:
            blanked += 1
            assert f"认定限值: {RESTRICTED}" in evidence and f"平均值（万元/亩）: {RESTRICTED}" in evidence
        assert RESTRICTED not in str(finding["threshold"])  # the policy's share is public
    assert shown + blanked > 0


def test_a_zone_spanning_towns_shows_the_officer_its_own_part_only(town: httpx.Client, admin: httpx.Client) -> None:
    everyone = {z["zone_no"]: z for z in _all(admin, "/api/zones")}
    mine = _all(town, "/api/zones")
    partial = [z for z in mine if z["partial"]]
    assert partial, "the demo city has zones holding several towns' figures"
    for zone in partial[:5]:
        total = everyone[zone["zone_no"]]["tax_per_mu"]
        dossier = town.get(f"/api/zones/{zone['zone_no']}").json()["zone"]
        full = admin.get(f"/api/zones/{zone['zone_no']}").json()["zone"]
        assert dossier["partial"] and not full["partial"]
        assert dossier["tax_wan"] is None or dossier["tax_wan"] < full["tax_wan"]
        assert zone["tax_per_mu"] is None or zone["tax_per_mu"] != total
    whole = [z for z in mine if not z["partial"] and z["tax_per_mu"] is not None]
    assert all(z["tax_per_mu"] == everyone[z["zone_no"]]["tax_per_mu"] for z in whole)


def test_an_enterprise_of_another_town_keeps_its_figures_on_the_officers_parcel(
    town: httpx.Client, admin: httpx.Client, city: dict[str, str]
) -> None:
    seen = town.get(f"/api/parcels/{city['parcel']}").json()
    full = admin.get(f"/api/parcels/{city['parcel']}").json()
    assert any(m["uscc"] == city["outsider"] for m in full["metrics"])
    assert not any(m["uscc"] == city["outsider"] for m in seen["metrics"] or [])
    assert city["outsider"] in seen["metrics_hidden"]
    assert town.get(f"/api/enterprises/{city['outsider']}/metrics").status_code == 403
    tax = [m["tax_wan"] for m in full["metrics"] if m["uscc"] == city["outsider"] and m["tax_wan"]]
    assert not any(json.dumps(t) in json.dumps(seen, ensure_ascii=False) for t in tax)
