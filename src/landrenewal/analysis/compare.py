"""Cell-by-cell comparison of a stored result with a recomputed one."""

from __future__ import annotations

import numpy as np
import pandas as pd


def differences(stored: pd.DataFrame, recomputed: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Every (key, column) whose value differs, exactly (floats bit for bit, NaN equal to NaN);
    rows present on one side only show up with the other side empty."""
    merged = stored.merge(recomputed, on=key, how="outer", suffixes=("_a", "_b"))
    columns = [c for c in stored.columns if c not in key]
    rows: list[pd.DataFrame] = []
    for column in columns:
        a, b = merged[f"{column}_a"], merged[f"{column}_b"]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            x, y = a.astype("float64").to_numpy(), b.astype("float64").to_numpy()
            same = (x == y) | (np.isnan(x) & np.isnan(y))
        else:
            same = ((a == b).fillna(False) | (a.isna() & b.isna())).to_numpy(dtype=bool)
        differ = ~same
        if differ.any():
            part = merged.loc[differ, key].copy()
            part["column"] = column
            part["stored"] = a[differ].astype(object).to_numpy()
            part["recomputed"] = b[differ].astype(object).to_numpy()
            rows.append(part)
    if not rows:
        return pd.DataFrame(columns=[*key, "column", "stored", "recomputed"])
    return pd.concat(rows, ignore_index=True)
