import datetime

import pytest
from django.core import mail
from django_scopes import scope

from reporting import tasks
from reporting.models import ReportDocument
from reporting.schedule import annual_draft_due, period_report_due, reminder_mail_due
from tests import factories


@pytest.mark.parametrize(("today", "kind", "expected"), [
    (datetime.date(2025, 4, 1), "quarter", "2025-Q1"),
    (datetime.date(2025, 3, 31), "quarter", None),
    (datetime.date(2025, 5, 1), "tertial", "2025-T1"),
    (datetime.date(2025, 4, 1), "tertial", None),
    (datetime.date(2025, 7, 1), "half", "2025-H1"),
    (datetime.date(2026, 1, 1), "quarter", "2025-Q4"),
    (datetime.date(2026, 1, 1), "half", "2025-H2"),
])
def test_a_period_report_is_due_the_day_after_the_period_ends(today, kind, expected):
    due = period_report_due(today=today, period_kind=kind)
    assert (due.label if due else None) == expected


def test_the_draft_yearly_report_is_due_on_second_january_only():
    assert annual_draft_due(today=datetime.date(2026, 1, 2)) == 2025
    assert annual_draft_due(today=datetime.date(2026, 1, 1)) is None


def test_reminder_mails_go_on_first_march_and_mondays_in_march():
    assert reminder_mail_due(today=datetime.date(2026, 3, 1))  # a Sunday
    assert reminder_mail_due(today=datetime.date(2026, 3, 2))  # Monday
    assert not reminder_mail_due(today=datetime.date(2026, 3, 3))
    assert not reminder_mail_due(today=datetime.date(2026, 4, 6))


def test_beat_task_queues_each_due_report_once(unit_a, unit_b, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks.timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 1, 2))
    monkeypatch.setattr(tasks, "period_report_due", lambda **kw: None)
    with django_capture_on_commit_callbacks(execute=True):
        assert sorted(tasks.build_scheduled_reports()) == ["alpha:2025", "bravo:2025"]
        assert tasks.build_scheduled_reports() == []
    with scope(unit=unit_a):
        document = ReportDocument.objects.get(unit=unit_a, period="2025")
    assert document.status == "done"


def test_beat_task_builds_the_period_report_for_the_units_own_period_kind(unit_a, unit_b, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks.timezone, "localdate", lambda *args, **kwargs: datetime.date(2025, 5, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.build_scheduled_reports() == ["bravo:2025-T1"]  # bravo reports by tertial; alpha by quarter


def test_chiefs_are_mailed_while_the_yearly_report_is_missing(unit_a, anna, monkeypatch):
    anna.email = "anna@example.se"
    anna.save()
    factories.user("ulla", unit=unit_a, role="counsellor").__class__.objects.filter(username="ulla").update(
        email="ulla@example.se")
    monkeypatch.setattr(tasks.timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 3, 2))
    assert tasks.remind_annual_reports() == 1
    assert mail.outbox[0].to == ["anna@example.se"]
    assert "2025" in mail.outbox[0].subject and "31 mars" in mail.outbox[0].body
