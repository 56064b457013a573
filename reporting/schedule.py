"""When scheduled documents are due. Pure functions of the date, tested without a clock."""

import datetime

from units.periods import Period


def period_report_due(*, today: datetime.date, period_kind: str) -> Period | None:
    """The period that ended yesterday, if one did: its report is built the day after."""
    yesterday = today - datetime.timedelta(days=1)
    period = Period.containing(yesterday, period_kind)
    return period if period.end == yesterday else None


def annual_draft_due(*, today: datetime.date) -> int | None:
    """A draft yearly report for the year just ended is built on 2 January."""
    return today.year - 1 if (today.month, today.day) == (1, 2) else None


def reminder_mail_due(*, today: datetime.date) -> bool:
    """Chiefs get an e-mail on 1 March and every Monday of March while the report is missing."""
    return today.month == 3 and (today.day == 1 or today.weekday() == 0)
