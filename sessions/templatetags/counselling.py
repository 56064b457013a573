"""The session list's rows, written here instead of in the template: a page of 50 rows cost the
Django template engine ≈ 1 700 variable lookups (issue 17: half of the list's CPU). The
columns are the ones `session_list.html` heads; the row is the same HTML it wrote."""

import functools

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def session_row(context, session) -> str:
    unit_slug = context["unit"].slug
    day = date_format(session.date, "SHORT_DATE_FORMAT")
    correction = format_html(' <span class="badge text-bg-warning">{}</span>', _("correction of %(date)s") % {
        "date": date_format(session.corrects.date, "SHORT_DATE_FORMAT")}) if session.corrects_id else ""
    kind = " · ".join(label for label in (session.get_format_display(), session.constellation and
                                          session.get_constellation_display(),
                                          session.activity and session.get_activity_display()) if label)
    case = format_html('<a href="{}">{}</a>', _url("case_detail", unit_slug, session.case_id),
                       session.case.code) if session.case_id else "–"
    counsellors = ", ".join(person.get_username() for person in session.counsellors.all()) or "–"
    fee = format_html("<td>{}</td>", session.get_fee_display()) if context["shows_fee"] else ""
    return format_html(
        # Dates and case codes do not break at their hyphens ("2026-12-" / "01").
        '<tr id="session-{}"><td class="text-nowrap">{}{}</td><td>{}</td><td class="num">{}</td><td>{}</td>'
        '<td class="num">{}</td><td>{}</td><td class="text-nowrap">{}</td><td>{}</td><td>{}</td>{}<td>{}</td></tr>',
        session.pk, day, correction, session.start_time.strftime("%H:%M") if session.start_time else "–",
        session.minutes, kind, session.participants, session.get_status_display(), case, counsellors,
        session.get_location_display(), fee, _actions(session, unit_slug, day, is_chief=context["is_chief"]))


_PK = 2_147_483_647  # a sentinel id no row has, replaced by each row's own


@functools.lru_cache(maxsize=1024)
def _url_parts(name: str, unit_slug: str, prefix: str) -> tuple[str, str]:
    before, _sentinel, after = reverse(f"counselling:{name}", kwargs={"unit_slug": unit_slug, "pk": _PK}).rpartition(
        str(_PK))
    return before, after


def _url(name: str, unit_slug: str, pk: int) -> str:
    """reverse() once per URL name, unit and script prefix, not twice a row; the same path."""
    before, after = _url_parts(name, unit_slug, get_script_prefix())
    return f"{before}{pk}{after}"


def _actions(session, unit_slug: str, day: str, *, is_chief: bool) -> str:
    def link(name, text):
        return format_html('<a href="{}">{}<span class="visually-hidden"> {}</span></a>',
                           _url(name, unit_slug, session.pk), text, day)

    if not session.locked:
        return link("session_edit", _("Change"))
    if is_chief and not session.corrected:
        return format_html('<span class="badge text-bg-secondary">{}</span> {}', _("Locked"),
                           link("session_correct", _("Correct")))
    return format_html('<span class="badge text-bg-secondary">{}</span>',
                       _("Corrected") if session.corrected else _("Locked"))
