"""Calendar arithmetic over whole columns of dates."""

from __future__ import annotations

import numpy as np
import pandas as pd


def add_years(dates: pd.Series, years: float) -> pd.Series:
    """The same day ``years`` later (a whole number of years; 29 February → 28 February).

    "满一年" is counted to the anniversary: land due to start on 2024-03-05 has been unstarted
    for one full year on 2025-03-05 and for more than one year from 2025-03-06 on.
    """
    whole = int(years)
    if whole != years:
        return dates + pd.to_timedelta(round(years * 365.25), unit="D")
    values = dates.to_numpy(dtype="datetime64[D]")
    months = values.astype("datetime64[M]")
    day = (values - months).astype(np.int64)  # 0-based day of month
    target = months + np.timedelta64(12 * whole, "M")
    month_length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    shifted = target.astype("datetime64[D]") + np.minimum(day, month_length - 1)
    return pd.Series(shifted, index=dates.index).where(dates.notna())


def days_between(start: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Whole days from each date to ``end``; missing where the date is."""
    return (end - start).dt.days.astype("Int64")
