"""What the app exports imports back unchanged: the session list's CSV and XLSX exports (in
the unit's language, with labels instead of codes) are read by the import, and the sessions
they recreate export to the same table."""

import datetime
import io

import pytest
from django.urls import reverse
from django_scopes import scope
from openpyxl import load_workbook

from sessions import services
from sessions.models import Session
from tests import factories
from tests.sessions_helpers import case
from units.imports import import_file


def _log(unit, user, counsellors, **values):
    defaults = {"start_time": None, "participants": None, "location": "office", "fee": "none", "case": None}
    return services.session_log(unit=unit, acting_user=user, counsellors=counsellors, **{**defaults, **values})


@pytest.fixture
def history(unit_a, alice, anna):
    with scope(unit=unit_a):
        first = case(unit_a, "P-2025-0001")
        second = case(unit_a, "P-2025-0002")
        _log(unit_a, anna, [alice], date=datetime.date(2025, 3, 4), start_time=datetime.time(9, 0), minutes=60,
             format="couple", status="held", case=first, fee="paid")
        _log(unit_a, anna, [alice, anna], date=datetime.date(2025, 3, 5), start_time=datetime.time(13, 30),
             minutes=120, format="group", participants=6, status="held", location="flat", fee="exempt")
        _log(unit_a, anna, [anna], date=datetime.date(2025, 3, 6), minutes=45, format="family", participants=3,
             status="client_cancelled", case=second, location="phone")
        _log(unit_a, anna, [], date=datetime.date(2025, 3, 7), start_time=datetime.time(8, 5), minutes=30,
             format="individual", status="no_show", case=first, location="home")
    return unit_a


def _export(client, unit, fmt):
    response = client.get(reverse("counselling:session_list", kwargs={"unit_slug": unit.slug}), {"export": fmt})
    assert response.status_code == 200
    return response.content


def _cells(content, fmt):
    if fmt == "csv":
        return content.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_session_export_imports_back_unchanged(history, anna_client, anna, fmt):
    before = _export(anna_client, history, fmt)
    with scope(unit=history):
        Session.objects.filter(unit=history).delete()
        result = import_file(kind="sessions", unit=history, source=io.BytesIO(before), size=len(before),
                             acting_user=anna)
        assert result.ok and result.written == 4, result.as_json()
        assert Session.objects.filter(unit=history).count() == 4
    after = _export(anna_client, history, fmt)
    assert _cells(after, fmt) == _cells(before, fmt)
    # The export is in Swedish (the unit's language): the labels were read, not only the codes.
    text = str(_cells(before, fmt))
    assert "Rådgivare" in text and "Genomfört" in text and "Par" in text


def test_a_danish_units_export_imports_back_unchanged(db):
    unit = factories.unit("kbh", country="DK", language="da", funders=("København",))
    dina = factories.user("dina", unit=unit, role="chief")
    with scope(unit=unit):
        _log(unit, dina, [dina], date=datetime.date(2025, 1, 8), start_time=datetime.time(9, 0), minutes=50,
             format="individual", status="held", fee="paid")
    from tests.conftest import logged_in

    client = logged_in(dina)
    before = _export(client, unit, "csv")
    assert "Dato" in before.decode("utf-8-sig")
    with scope(unit=unit):
        Session.objects.filter(unit=unit).delete()
        assert import_file(kind="sessions", unit=unit, source=io.BytesIO(before), size=len(before)).ok
    assert _export(client, unit, "csv") == before
