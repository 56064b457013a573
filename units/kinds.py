"""What a new unit of each kind starts with (DESIGN.md §2, the seeds): its record mode, reporting
period, legal basis and fee options. The report profile follows the kind by itself
(reporting.profiles.PROFILES); everything here is a unit setting the chief may change later."""

import datetime
from dataclasses import dataclass

from .models import Country, OpeningHours, Unit


@dataclass(frozen=True)
class KindDefaults:
    record_mode: str
    period_kind: str
    legal_reference: str
    visit_fee_asked: bool
    # (kind, weekday, start, end) stretches a unit of the kind starts with.
    hours: tuple[tuple[str, int, datetime.time, datetime.time], ...] = ()


_T = datetime.time
KIND_DEFAULTS = {
    # 000_610e279258caecb4.txt: "Varken journal eller register förs"; fees per municipality.
    Unit.Kind.FAMILY_COUNSELLING: KindDefaults(Unit.RecordMode.ANONYMOUS, Unit.PeriodKind.QUARTER,
                                               "SoL 5 kap. 3 §; OSL 26 kap. 3 §", True),
    # 001_12d4c227923da397.txt: assignments granted as bistånd; statistics every half-year.
    Unit.Kind.FAMILY_TREATMENT: KindDefaults(Unit.RecordMode.CASE, Unit.PeriodKind.HALF_YEAR,
                                             "SoL 4 kap. 1 § (bistånd)", False),
    # 003_eba17951e60b4a73.txt: the key indicator is reported each tertial.
    Unit.Kind.FAMILY_UNIT: KindDefaults(Unit.RecordMode.CASE, Unit.PeriodKind.TERTIAL, "SoL; BBiC", False),
    # 004_4991f6e8c25cfe0a.txt: free, open, anonymous; "6 timers åbningstid om ugen"; Barnets lov §§ 28–29.
    Unit.Kind.OPEN_COUNSELLING: KindDefaults(
        Unit.RecordMode.ANONYMOUS, Unit.PeriodKind.QUARTER, "Barnets lov §§ 28–29", False,
        hours=((OpeningHours.Kind.DROP_IN, 1, _T(9), _T(12)), (OpeningHours.Kind.DROP_IN, 3, _T(14), _T(17)))),
}

COUNTRY_DEFAULTS = {
    Country.SE: {"language": "sv", "time_zone": "Europe/Stockholm"},
    Country.DK: {"language": "da", "time_zone": "Europe/Copenhagen"},
}
