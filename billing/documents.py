"""A statement as people read it: labelled lines for the page and the PDF, one table for the
CSV and XLSX files. Everything here is made from the statement dict alone, so a closed
month's files are reproducible from its snapshot."""

import hashlib
import json
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import rules
from sessions.models import SessionFormat, SessionStatus
from units.exports import table_bytes
from units.models import Unit
from units.pdf import render_pdf

FLAG_LABELS = {
    rules.FEWER_THAN_5: gettext_lazy("fewer than 5 participants"),
    rules.SHORTER_THAN_1_HOUR: gettext_lazy("shorter than 1 hour"),
    rules.LONGER_THAN_2_HOURS: gettext_lazy("longer than 2 hours"),
}


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def flag_text(flag: str | None) -> str:
    if not flag:
        return ""
    reasons = ", ".join(str(FLAG_LABELS[code]) for code in flag.split(","))
    return _("Group outside the 4-hour rule (%(reasons)s): billed as plain time, check it.") % {"reasons": reasons}


def labelled_lines(statement: dict) -> list[dict]:
    """The statement's lines with the words a reader needs (format, status, flag)."""
    formats, statuses = dict(SessionFormat.choices), dict(SessionStatus.choices)
    return [
        {**line, "format_label": formats.get(line["format"], line["format"]),
         "status_label": statuses.get(line["status"], line["status"]), "flag_text": flag_text(line["flag"])}
        for line in statement["lines"]
    ]


def statement_table(statement: dict) -> tuple[list[str], list[list]]:
    """One table: the lines, a total, then the fees and fixed amounts."""
    headers = [_("Kind"), _("Date"), _("Session"), _("Corrects session"), _("Format"), _("Participants"),
               _("Minutes"), _("Billable hours"), _("Charged hours"), _("Amount"), _("Flag")]
    rows = []
    for line in labelled_lines(statement):
        rows.append([
            _("Correction") if line["corrects"] else _("Session"), line["date"], line["session_id"],
            line["corrects"]["session_id"] if line["corrects"] else "", line["format_label"], line["participants"],
            line["minutes"], line["billable_hours"], line["charged_hours"], line["amount"], line["flag_text"],
        ])
    month_hours = sum((Decimal(line["billable_hours"]) for line in statement["lines"]), rules.ZERO)
    rows.append([_("Total hours"), "", "", "", "", "", "", f"{month_hours:.2f}", statement["billable_hours"],
                 statement["amount"], ""])
    for name, fee in statement["fees"]["by_municipality"].items():
        rows.append([_("Visit fees, %(municipality)s") % {"municipality": name}, "", "", "", "", fee["visits"], "",
                     "", "", fee["total"], ""])
    for fixed in statement["fixed"]:
        rows.append([_("Fixed amount, %(municipality)s") % {"municipality": fixed["municipality"]}, "", "", "", "",
                     "", "", "", "", fixed["amount"], ""])
    return headers, rows


def statement_filename(statement: dict) -> str:
    return f"statement-{statement['unit']}-{statement['month']}"


def statement_csv(statement: dict, *, unit: Unit) -> bytes:
    with translation.override(unit.language):
        headers, rows = statement_table(statement)
        # The stored statement (hashed when the month closes) keeps commas: it is read by programs.
        return table_bytes(headers=headers, rows=rows, fmt="csv", dialect="comma")


def statement_json(statement: dict) -> bytes:
    return json.dumps(statement, ensure_ascii=False, indent=2).encode("utf-8")


def statement_pdf(statement: dict, *, unit: Unit, close=None) -> bytes:
    """`close` is the month's MonthClose, or None for a preliminary statement of an open month."""
    with translation.override(unit.language):
        lines = labelled_lines(statement)
    return render_pdf(template="billing/pdf/statement.html",
                      context={"statement": statement, "lines": lines, "unit": unit, "close": close},
                      language=unit.language)


def stored_file(close, fmt: str) -> bytes:
    """A closed month's stored CSV or PDF, checked against the SHA-256 recorded when it was stored."""
    field, expected = (close.pdf_file, close.pdf_sha256) if fmt == "pdf" else (close.csv_file, close.csv_sha256)
    with field.open("rb") as handle:
        content = handle.read()
    if sha256(content) != expected:
        raise ValueError(f"the stored {fmt} of {close} does not match its SHA-256")
    return content


def overview_table(overview: dict) -> tuple[list[str], list[list]]:
    municipalities = list(overview["fees_by_municipality"])
    headers = [_("Month"), _("Status"), _("Charged hours"), _("Hours over the cap"), _("Hours, year to date"),
               _("Amount"), _("Fixed amounts"), _("Visits with a fee"), _("Fees")]
    headers += [_("Fees, %(municipality)s") % {"municipality": name} for name in municipalities]
    rows = []
    for entry in overview["months"]:
        statement = entry["statement"]
        status = _("Closed") if entry["closed"] else _("Open")
        if statement is None:
            rows.append([f"{entry['month']:%Y-%m}", f"{status}: {' '.join(entry['problems'])}"]
                        + [""] * (len(headers) - 2))
            continue
        by_municipality = statement["fees"]["by_municipality"]
        rows.append([
            f"{entry['month']:%Y-%m}", status, *map(Decimal, (
                statement["billable_hours"], statement["hours_over_cap"], statement["hours_year_to_date"],
                statement["amount"], statement["fixed_amount"])),
            statement["fees"]["visits"], Decimal(statement["fees"]["total"]),
        ] + [Decimal(by_municipality[name]["total"] if name in by_municipality else "0.00")
             for name in municipalities])
    totals = overview["totals"]
    # Numbers as numbers (the statement JSON keeps them as exact strings): a spreadsheet sums them.
    rows.append([_("Total"), "", *map(Decimal, (totals["billable_hours"], totals["hours_over_cap"],
                                                overview["hours_year_to_date"], totals["amount"],
                                                totals["fixed_amount"])),
                 totals["fee_visits"], Decimal(totals["fees"])]
                + [Decimal(overview["fees_by_municipality"][name]["total"]) for name in municipalities])
    return headers, rows
