"""The session list's rows, written here instead of in the template: a page of 50 rows cost the
Django template engine ≈ 1 700 variable lookups (issue 17: half of the list's CPU). The
columns are the ones `session_list.html` heads; the row is the same HTML it wrote. Values are
escaped with the standard library's `html.escape`, which Django's `escape` is: `format_html`
checked each of a row's 25 values for laziness and safeness (a tenth of the list's CPU)."""

import functools
from html import escape

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def session_row(context, session) -> str:
    """One `<tr>` of `selectors.session_rows`' session."""
    unit_slug = context["unit"].slug
    day = escape(date_format(session.date, "SHORT_DATE_FORMAT"))
    start = session.start_time.strftime("%H:%M") if session.start_time else ""
    correction = ' <span class="badge text-bg-warning">{}</span>'.format(escape(_("correction of %(date)s") % {
        "date": date_format(session.corrects.date, "SHORT_DATE_FORMAT")})) if session.corrects_id else ""
    kind = " · ".join(label for label in (session.get_format_display(), session.constellation and
                                          session.get_constellation_display(),
                                          session.activity and session.get_activity_display()) if label)
    case = '<a href="{}">{}</a>'.format(escape(_url("case_detail", unit_slug, session.case_id)),
                                        escape(session.case.code)) if session.case_id else "–"
    fee = f"<td>{escape(session.get_fee_display())}</td>" if context["shows_fee"] else ""
    actions = _actions(session, unit_slug, f"{day} {start}" if start else day, is_chief=context["is_chief"])
    # Every text is escaped above or here; the rest are numbers and times. Dates and case codes do
    # not break at their hyphens ("2026-12-" / "01").
    return mark_safe(  # noqa: S308 — format_html's checks cost 1.2 of the 3.3 ms of 50 rows
        f'<tr id="session-{session.pk}"><td class="text-nowrap">{day}{correction}</td>'
        f'<td>{start or "–"}</td>'
        f'<td class="num">{session.minutes}</td><td>{escape(kind)}</td><td class="num">{session.participants}</td>'
        f'<td>{escape(session.get_status_display())}</td><td class="text-nowrap">{case}</td>'
        f'<td>{escape(session.counsellor_names or "–")}</td><td>{escape(session.get_location_display())}</td>'
        f'{fee}<td>{actions}</td></tr>')


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


def _actions(session, unit_slug: str, when: str, *, is_chief: bool) -> str:
    """The row's last cell; `when` (the day and start, escaped) completes the links' names for a
    screen reader: "Change 01.12.2026 10:00", so two sessions of a day are told apart."""
    def link(name, text):
        return (f'<a href="{escape(_url(name, unit_slug, session.pk))}">{escape(text)}'
                f'<span class="visually-hidden"> {when}</span></a>')

    def badge(text):
        return f'<span class="badge text-bg-secondary">{escape(text)}</span>'

    # No gettext inside an f-string: makemessages would not find the text.
    if not session.locked:
        return link("session_edit", _("Change"))
    locked = badge(_("Locked"))
    if is_chief and not session.corrected:
        return locked + " " + link("session_correct", _("Correct"))
    return badge(_("Corrected")) if session.corrected else locked
