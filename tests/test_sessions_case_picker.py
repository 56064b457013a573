"""The session form's case picker (issue 17): the form lists the counsellor's own recent cases,
not every open case of the unit; any other open case is found by its code through a scoped
search (JSON for the page's script, the same search without script by reloading the form)."""

import datetime
import re
import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from sessions import selectors
from sessions.models import Case, Session
from tests import factories
from tests.conftest import logged_in
from tests.sessions_helpers import case, session

FORM = "/{unit}/sessions/new/"
SEARCH = "/{unit}/sessions/new/cases/"


def _cases(unit, count, *, start=0, **fields):
    with scope(unit=unit):
        return Case.objects.bulk_create([Case(unit=unit, code=f"P-2025-{number:04d}",
                                              opened_on=datetime.date(2025, 1, 2), **fields)
                                         for number in range(start, start + count)])


def _options(response) -> list[str]:
    select = re.search(r'<select name="case".*?</select>', response.content.decode(), re.S).group(0)
    return re.findall(r'<option value="(\d*)"', select)


def test_the_form_lists_the_counsellors_recent_cases_then_the_newest_not_all_open_cases(alice_client, alice, unit_a):
    older = _cases(unit_a, 300)
    with scope(unit=unit_a):
        for number, each in enumerate(older[-30:]):
            Case.objects.filter(pk=each.pk).update(
                opened_on=datetime.date(2025, 2, 1) + datetime.timedelta(days=number))
        session(unit_a, case=older[7], counsellors=[alice], logged_by=alice)
    options = _options(alice_client.get(FORM.format(unit=unit_a.slug)))
    newest = [str(each.pk) for each in reversed(older[-30:])][:selectors.CASE_MATCHES - 1]
    assert options == ["", str(older[7].pk), *newest]


def test_later_sessions_without_a_case_keep_the_recent_case_first_and_the_rest_in_order(alice_client, alice,
                                                                                         unit_a):
    """The recent cases are those of the counsellor's latest sessions; a session without a case
    among them (group, one-off advice) must not put every other case before the recent one."""
    cases = _cases(unit_a, 30)
    with scope(unit=unit_a):
        session(unit_a, case=cases[3], counsellors=[alice], logged_by=alice)
        for _other in range(3):
            session(unit_a, case=None, counsellors=[alice], logged_by=alice)
    options = _options(alice_client.get(FORM.format(unit=unit_a.slug)))
    assert options[:2] == ["", str(cases[3].pk)]
    assert options.count(str(cases[3].pk)) == 1 and len(options) == selectors.CASE_MATCHES + 1


def test_the_form_costs_the_same_queries_for_3_and_300_open_cases(alice_client, alice, unit_a):
    _cases(unit_a, 3)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert alice_client.get(FORM.format(unit=unit_a.slug)).status_code == 200
        return len(queries)

    cost()  # the first also reads the usual values into the cache
    few = cost()
    _cases(unit_a, 297, start=3)
    assert cost() == few


def test_any_open_case_of_the_unit_may_still_be_posted(alice_client, alice, unit_a):
    """The form's contract is unchanged: `case` is the case's id, whichever way it was picked."""
    cases = _cases(unit_a, 40)
    data = {"date": "2025-03-04", "start_time": "09:00", "minutes": "60", "format": "couple", "participants": "",
            "status": "held", "location": "office", "fee": "paid", "counsellors": [alice.pk],
            "case": str(cases[39].pk), "idempotency_key": str(uuid.uuid4())}
    assert alice_client.post(FORM.format(unit=unit_a.slug), data).status_code == 302
    assert alice_client.post(FORM.format(unit=unit_a.slug), data).status_code == 302  # the same key: one row
    with scope(unit=unit_a):
        assert list(Session.objects.filter(unit=unit_a).values_list("case_id", flat=True)) == [cases[39].pk]


def test_a_valid_post_is_saved_without_reading_the_case_list_and_a_refused_one_shows_it(alice_client, alice,
                                                                                        unit_a):
    """The list of cases is read when the form is drawn: a valid POST redirects without it."""
    cases = _cases(unit_a, 3)
    data = {"date": "2025-03-04", "start_time": "09:00", "minutes": "60", "format": "individual",
            "participants": "", "status": "held", "location": "office", "fee": "paid", "counsellors": [alice.pk],
            "case": "", "idempotency_key": str(uuid.uuid4())}
    with CaptureQueriesContext(connection) as queries:
        assert alice_client.post(FORM.format(unit=unit_a.slug), data).status_code == 302
    assert not [query["sql"] for query in queries.captured_queries if '"counselling_case"' in query["sql"]]
    refused = alice_client.post(FORM.format(unit=unit_a.slug), {**data, "minutes": "0",
                                                                "idempotency_key": str(uuid.uuid4())})
    assert refused.status_code == 200
    assert set(_options(refused)) == {"", *(str(each.pk) for each in cases)}


def test_the_search_finds_open_cases_of_the_unit_by_code_and_answers_codes_only(alice_client, alice, unit_a, unit_b):
    _cases(unit_a, 30)
    with scope(unit=unit_a):
        case(unit_a, "P-2024-0011", closed_on=datetime.date(2025, 2, 1))
    with scope(unit=unit_b):
        case(unit_b, "P-2025-0012")
    response = alice_client.get(SEARCH.format(unit=unit_a.slug), {"q": "0012"})
    assert response.status_code == 200
    with scope(unit=unit_a):
        own = Case.objects.get(unit=unit_a, code="P-2025-0012")
    assert response.json() == {"cases": [{"id": own.pk, "code": "P-2025-0012"}]}
    found = alice_client.get(SEARCH.format(unit=unit_a.slug), {"q": "p-2025-00"}).json()["cases"]
    assert len(found) == selectors.CASE_MATCHES and all(set(row) == {"id", "code"} for row in found)
    # Closed cases are not offered; another unit's case never.
    assert [row["code"] for row in alice_client.get(SEARCH.format(unit=unit_a.slug), {"q": "0011"}).json()["cases"]
            ] == ["P-2025-0011"]
    assert alice_client.get(SEARCH.format(unit=unit_a.slug), {"q": "2024"}).json() == {"cases": []}


def test_a_search_term_that_is_no_part_of_a_code_finds_nothing_and_is_not_repeated(alice_client, unit_a):
    _cases(unit_a, 3)
    for term in ("Anna Svensson", "19800101-1234", "", "%", "a" * 30):
        response = alice_client.get(SEARCH.format(unit=unit_a.slug), {"q": term})
        assert response.json() == {"cases": []}, term
    form = alice_client.get(FORM.format(unit=unit_a.slug), {"case_q": "Anna Svensson"}).content.decode()
    assert "Anna Svensson" not in form


def test_without_script_the_search_reloads_the_form_with_the_matches(alice_client, alice, unit_a):
    cases = _cases(unit_a, 30)
    response = alice_client.get(FORM.format(unit=unit_a.slug), {"case_q": "0021"})
    select = re.search(r'<select name="case".*?</select>', response.content.decode(), re.S).group(0)
    assert f'<option value="{cases[21].pk}" selected>P-2025-0021</option>' in select
    assert _options(response) == ["", str(cases[21].pk)]


def test_the_search_is_the_units_own(bob_client, alice_client, unit_a, unit_b):
    _cases(unit_a, 3)
    assert bob_client.get(SEARCH.format(unit=unit_a.slug), {"q": "0001"}).status_code == 404
    outsider = factories.user("olle", org=unit_b.organisation)
    assert logged_in(outsider).get(SEARCH.format(unit=unit_a.slug), {"q": "0001"}).status_code == 404


def test_the_forms_fields_are_written_as_crispy_forms_writes_them(alice, unit_a):
    """units' `field_group` replaces crispy's templates on the session form (issue 17: cheaper)
    and must write the same markup: classes, ids, aria attributes, errors and help texts."""
    from django.template import Context, Template

    from sessions.forms import SessionForm

    def normal(html):
        return sorted(re.sub(r">\s+|\s+<", lambda m: m.group(0).strip(), re.sub(r"\s+", " ", html)).split(" "))

    with scope(unit=unit_a):
        for data in (None, {"minutes": "x", "date": "", "participants": "0", "case": "999999"}):
            forms = [SessionForm(data, unit=unit_a, user=alice) for _ in range(2)]
            for form in forms if data else ():
                form.is_valid()
            for name in ("date", "start_time", "minutes", "participants", "case", "location"):
                crispy = Template("{% load crispy_forms_tags %}{{ f|as_crispy_field }}").render(
                    Context({"f": forms[0][name]}))
                ours = Template("{% load familjestod %}{{ f|field_group }}").render(Context({"f": forms[1][name]}))
                assert normal(ours) == normal(crispy), name


def test_the_form_reads_its_choices_without_a_server_side_cursor(alice_client, alice, unit_a):
    """Django's choice fields iterate their querysets with a cursor that would outlive its
    transaction — wrong behind PgBouncer in transaction mode (README "Scaling"), and two extra
    round trips: the settings turn server-side cursors off."""
    with CaptureQueriesContext(connection) as queries:
        assert alice_client.get(FORM.format(unit=unit_a.slug)).status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    assert any('"auth_user"' in sql for sql in statements)  # the counsellors were read …
    assert not [sql for sql in statements if sql.lstrip().upper().startswith("DECLARE")]  # … without a cursor
