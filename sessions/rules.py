"""Pure rules of the session log and case work: values in, values out, no database."""

import datetime
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from units.periods import add_months

from .models import Phase, SessionFormat

# A longer "session" is a typing error (8 hours).
MAX_MINUTES = 480

_FIXED_PARTICIPANTS = {SessionFormat.INDIVIDUAL: 1, SessionFormat.COUPLE: 2}

# 001_12d4c227923da397.txt: "Det vanligaste är att behandlingsfasen och generaliseringsfasen
# pågår parallellt" — the only pair of phases that may run at the same time.
PHASES_THAT_MAY_OVERLAP = frozenset({Phase.Kind.TREATMENT, Phase.Kind.GENERALISATION})


# 003_eba17951e60b4a73.txt: "Familjebehandlarna erbjuder upp till tre samtal utan biståndsprövning."
SUPPORT_TALKS_WITHOUT_ASSESSMENT = 3


def support_talks_need_assessment(held: int) -> bool:
    """A case's held råd- och stödsamtal beyond the three offered without an assessment."""
    return held > SUPPORT_TALKS_WITHOUT_ASSESSMENT


def default_participants(session_format: str) -> int | None:
    """Individual and couple sessions need no count; families and groups must give one."""
    return _FIXED_PARTICIPANTS.get(session_format)


def participants_problem(session_format: str, participants: int | None) -> str | None:
    if participants is None:
        return _("Give the number of participants for a family or group session.")
    fixed = _FIXED_PARTICIPANTS.get(session_format)
    if session_format == SessionFormat.INDIVIDUAL and participants != fixed:
        return _("An individual session has one participant.")
    if session_format == SessionFormat.COUPLE and participants != fixed:
        return _("A couple session has two participants.")
    if fixed is None and participants < 2:
        return _("A family or group session has at least two participants.")
    return None


def hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)



def periods_overlap(start_a, end_a, start_b, end_b) -> bool:
    """Date ranges with an open end (None) running on. A phase may start on the day the
    previous one ends: the hand-over day is not an overlap."""
    far = datetime.date.max
    return start_a < (end_b or far) and start_b < (end_a or far)


def phase_conflict(kind: str, started_on, ended_on, others: list[tuple[str, datetime.date, datetime.date | None]]):
    """The first other phase (kind, start, end) this one may not overlap, or None."""
    for other_kind, other_start, other_end in others:
        if {kind, other_kind} == PHASES_THAT_MAY_OVERLAP:
            continue
        if periods_overlap(started_on, ended_on, other_start, other_end):
            return other_kind, other_start, other_end
    return None


def urgent_overdue(*, urgent: bool, since: datetime.date | None, regular_from, closed_on, days: int,
                   today: datetime.date) -> bool:
    """001_12d4c227923da397.txt: an urgent assignment "kan pågå i ungefär en vecka, därefter
    behöver vi få in ett uppdrag med en långsiktig planering"."""
    if not urgent or since is None or regular_from is not None or closed_on is not None:
        return False
    return today > since + datetime.timedelta(days=days)


def usual(recent: list[tuple]) -> tuple | None:
    """The most frequent of the recent choices (newest first); a tie goes to the newest."""
    if not recent:
        return None
    counts = Counter(recent)
    best = max(counts.values())
    return next(choice for choice in recent if counts[choice] == best)


def ors_cutoff(*, is_child: bool, thresholds: dict) -> int:
    return thresholds["ors_cutoff_child" if is_child else "ors_cutoff_adult"]


def ors_change(first: int, last: int, *, thresholds: dict) -> str:
    """'improved' or 'deteriorated' when the change reaches the reliable-change index, else ''."""
    change = last - first
    if change >= thresholds["reliable_change"]:
        return "improved"
    if change <= -thresholds["reliable_change"]:
        return "deteriorated"
    return ""


def srs_concern(total: int, *, thresholds: dict) -> bool:
    return total <= thresholds["srs_alliance_concern"]


def next_code(prefix: str, year: int, existing: list[str]) -> str:
    """`U-2025-0007` after the highest number already used that year."""
    stem = f"{prefix}-{year}-"
    numbers = [int(code[len(stem):]) for code in existing if code.startswith(stem) and code[len(stem):].isdigit()]
    return f"{stem}{max(numbers, default=0) + 1:04d}"


_CASE_SEARCH = re.compile(r"[A-Za-z0-9-]{1,20}")


def case_search_term(text: str) -> str:
    """A search term for the case picker: a piece of a case code (letters, digits, hyphens — at
    most a code's length), or "" for anything else (a name, an address), which then finds nothing."""
    term = (text or "").strip()
    return term if _CASE_SEARCH.fullmatch(term) else ""


# 001_12d4c227923da397.txt: "Kartlägningsfas (ca 1 månad)", "Behandlingsfas (ca 3-12 månader)",
# "Generaliseringsfas (ca 1-3 månader)" — the longest typical length of each phase, in months.
PHASE_TYPICAL_MONTHS = {Phase.Kind.ASSESSMENT: 1, Phase.Kind.TREATMENT: 12, Phase.Kind.GENERALISATION: 3}


def phase_overlong(*, kind: str, started_on: datetime.date, ended_on: datetime.date | None,
                   today: datetime.date) -> bool:
    """A phase (ended, or still going on today) that has lasted longer than its typical length:
    past the same day so many months after it started (started 15 January, kartläggning is
    over-long from 16 February)."""
    return (ended_on or today) > add_months(started_on, PHASE_TYPICAL_MONTHS[kind])


def regular_from(*, planning_meeting_on: datetime.date | None, regular_from: datetime.date | None):
    """The planning meeting starts a regular assignment (001_12d4c227923da397.txt: an urgent one
    "övergår" once "ett uppdrag med en långsiktig planering" comes in): a date typed in stays."""
    return regular_from or planning_meeting_on
