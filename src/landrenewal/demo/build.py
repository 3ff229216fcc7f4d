"""Building the demo city into a store through the same import pipeline users' files go through."""

from __future__ import annotations

from collections.abc import Callable

from landrenewal.analysis.policy import set_store_policy
from landrenewal.demo.city import DEMO_POLICY, generate_city
from landrenewal.domain.language import say
from landrenewal.domain.vocabulary import RECORDS
from landrenewal.importing.pipeline import ImportOptions, ImportReport, import_frame
from landrenewal.store.engine import Store

ORDER = ("divisions", "parcels", "buildings", "enterprises", "occupancy", "metrics", "planning_zones")
STEPS = len(ORDER) + 1


def build_demo(
    store: Store,
    *,
    parcels: int,
    seed: int,
    on_step: Callable[[str], None] | None = None,
    actor: str = "demo",
) -> list[ImportReport]:
    """Generate the city and import each kind, all or nothing; the whole city must pass the importer's checks.

    Each kind is one import in the audit log, as ``actor``'s."""
    step = on_step or (lambda _label: None)
    step(say(f"正在生成示范城市（{parcels:,} 宗地）", f"Generating the demo city ({parcels:,} parcels)"))
    city = generate_city(parcels=parcels, seed=seed)
    reports = []
    # One transaction: a build stopped at any moment leaves the store as it was.
    with store.write() as conn:
        for kind in ORDER:
            zh, en = RECORDS[kind]
            step(say(f"正在导入{zh}", f"Importing {en[:1].lower()}{en[1:]}"))
            options = ImportOptions(today=getattr(city, "today", None), actor=actor)
            source = f"示范城市生成的{RECORDS[kind][0]}"  # what the audit log names as the file
            reports.append(
                import_frame(store, kind, getattr(city, kind), source, epsg=city.epsg, options=options, conn=conn)
            )
        set_store_policy(conn, DEMO_POLICY, by=actor)
    step(say("完成", "Done"))
    return reports
