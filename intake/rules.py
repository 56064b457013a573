"""Waiting-time and case-code arithmetic: values in, values out, no database."""

import datetime
import re

CASE_CODE_PREFIX = "P"
_CASE_CODE = re.compile(rf"^{CASE_CODE_PREFIX}-(\d{{4}})-(\d{{4,}})$")


def case_code(year: int, number: int) -> str:
    """`P-2025-0142`: the unit's running number within the year, at least four digits."""
    return f"{CASE_CODE_PREFIX}-{year}-{number:04d}"


def parse_case_code(code: str) -> tuple[int, int] | None:
    """(year, number) of a code in the unit's own shape, None for any other code."""
    match = _CASE_CODE.match(code)
    return (int(match.group(1)), int(match.group(2))) if match else None


def days_waited(received_on: datetime.date, day: datetime.date) -> int:
    """Calendar days, as KFR measures a wait: received today is 0 days."""
    return (day - received_on).days


def wait_level(days: int, limit: int) -> str:
    """"over" beyond the unit's limit, "near" in the last three days up to it, else ""."""
    if days > limit:
        return "over"
    if days >= limit - 3:
        return "near"
    return ""


def month_starts(last_day: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` months ending with `last_day`'s month, oldest first."""
    year, month = last_day.year, last_day.month
    starts = []
    for _step in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def month_end(start: datetime.date) -> datetime.date:
    following = datetime.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def youngest_band(children_by_band: dict[str, int]) -> str:
    """The first age band holding a child, the bands given youngest first
    (Application.children_by_band), or "" when none holds one."""
    return next((band for band, count in children_by_band.items() if count), "")
