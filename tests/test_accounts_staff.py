"""The chief's staff page, invitations and the organisation's people page (issue 13)."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.conftest import logged_in
from units.models import AuditEvent, Invitation, Membership, OrgAccess, StaffGroup

LINK = re.compile(r"https?://[^/\s]+(/accounts/invite/[^/\s]+/)")
NEW_PASSWORD = "Vinterträd-och-snö-2026"


def _link(message):
    return LINK.search(message.body).group(1)


def committed_post(client, url, data=None):
    """A POST whose on-commit work (the mail) runs, as it does outside a test's transaction."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data or {})


def _invite(client, unit, email="ny.radgivare@example.se", role="counsellor", **extra):
    with_groups = {"groups": [group.pk for group in extra.pop("groups", [])]}
    return committed_post(client, f"/{unit.slug}/staff/", {"email": email, "role": role, **with_groups, **extra})


def test_it_invites_by_mail_and_the_link_sets_a_password_once(anna_client, anna, unit_a, client):
    response = _invite(anna_client, unit_a)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.unit == unit_a and invitation.role == "counsellor" and invitation.created_by == anna
    assert invitation.expires_at - invitation.created_at == pytest.approx(datetime.timedelta(hours=72),
                                                                          abs=datetime.timedelta(seconds=5))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ny.radgivare@example.se"]
    assert "72" in mail.outbox[0].body and unit_a.name in mail.outbox[0].subject
    link = _link(mail.outbox[0])
    assert link.split("/")[-2] not in invitation.token_hash  # only a hash is stored

    page = client.get(link)
    assert page.status_code == 200 and "ny.radgivare@example.se" in page.content.decode()
    accepted = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert accepted.status_code == 302 and accepted["Location"] == f"/{unit_a.slug}/"
    person = get_user_model().objects.get(username="ny.radgivare@example.se")
    assert person.check_password(NEW_PASSWORD) and person.email == "ny.radgivare@example.se"
    assert Membership.objects.get(user=person, unit=unit_a).role == "counsellor"
    assert client.get(f"/{unit_a.slug}/").status_code == 200
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"invitation.create", "invitation.accept", "membership.join"} <= actions

    # The same link again: a clear page, nothing new, an audit row.
    again = logged_in(anna).get(link)
    assert again.status_code == 410 and "redan använts" in again.content.decode()
    assert get_user_model().objects.filter(email="ny.radgivare@example.se").count() == 1
    assert AuditEvent.objects.filter(action="invitation.refused.used").count() == 1


def test_an_expired_or_unknown_link_creates_nothing(anna_client, anna, unit_a, client):
    _invite(anna_client, unit_a)
    link = _link(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    users = get_user_model().objects.count()
    expired = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert expired.status_code == 410 and "72 timmar" in expired.content.decode()
    unknown = client.get("/accounts/invite/not-a-real-token/", HTTP_ACCEPT_LANGUAGE="sv")
    assert unknown.status_code == 404 and "inte giltig" in unknown.content.decode()
    assert get_user_model().objects.count() == users
    assert not Membership.objects.filter(user__email="ny.radgivare@example.se").exists()
    assert {"invitation.refused.expired", "invitation.refused.unknown"} <= set(
        AuditEvent.objects.values_list("action", flat=True))


def test_a_weak_or_mismatched_password_keeps_the_link_unused(anna_client, unit_a, client):
    _invite(anna_client, unit_a)
    link = _link(mail.outbox[0])
    weak = client.post(link, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 200 and "för kort" in weak.content.decode()
    differ = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert differ.status_code == 200
    assert Invitation.objects.get().accepted_at is None
    assert not get_user_model().objects.filter(email="ny.radgivare@example.se").exists()


def test_a_newer_invitation_withdraws_the_older_link(anna_client, unit_a, client):
    _invite(anna_client, unit_a)
    _invite(anna_client, unit_a, role="chief")
    first, second = _link(mail.outbox[0]), _link(mail.outbox[1])
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_a_person_with_an_account_signs_in_to_accept(anna_client, unit_a, unit_b):
    bob = factories.user("bob", unit=unit_b, role="counsellor")
    bob.email = "bob@example.se"
    bob.save()
    _invite(anna_client, unit_a, email="bob@example.se")
    link = _link(mail.outbox[0])
    bob_client = logged_in(bob)
    assert "Acceptera" in bob_client.get(link).content.decode()
    assert bob_client.post(link).status_code == 302
    assert Membership.objects.get(user=bob, unit=unit_a).role == "counsellor"
    assert get_user_model().objects.filter(email="bob@example.se").count() == 1


def test_inviting_an_active_member_again_is_refused(anna_client, alice, unit_a):
    alice.email = "alice@example.se"
    alice.save()
    response = _invite(anna_client, unit_a, email="alice@example.se")
    assert response.status_code == 200 and "redan" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_counsellor_cannot_invite_or_change_staff(alice_client, alice, anna, unit_a):
    assert alice_client.get(f"/{unit_a.slug}/staff/").status_code == 403
    assert _invite(alice_client, unit_a).status_code == 403
    membership = Membership.objects.get(user=anna)
    assert alice_client.post(f"/{unit_a.slug}/staff/{membership.pk}/",
                             {"role": "counsellor", "is_active": ""}).status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox
    assert Membership.objects.get(user=anna).is_active


def test_a_chief_of_another_unit_gets_404_for_this_units_staff(unit_a, unit_b, alice):
    chief_b = factories.user("bertil", unit=unit_b, role="chief")
    client = logged_in(chief_b)
    alice_membership = Membership.objects.get(user=alice)
    assert client.get(f"/{unit_a.slug}/staff/").status_code == 404
    # Through their own unit's address, another unit's member does not exist either.
    assert client.get(f"/{unit_b.slug}/staff/{alice_membership.pk}/").status_code == 404
    assert client.post(f"/{unit_b.slug}/staff/{alice_membership.pk}/",
                       {"role": "chief", "is_active": "on"}).status_code == 404
    assert Membership.objects.get(user=alice).role == "counsellor"


def test_the_last_chief_cannot_step_down_or_be_deactivated(anna_client, anna, unit_a):
    membership = Membership.objects.get(user=anna)
    url = f"/{unit_a.slug}/staff/{membership.pk}/"
    demoted = anna_client.post(url, {"role": "counsellor", "is_active": "on"})
    assert demoted.status_code == 200 and "minst en aktiv enhetschef" in demoted.content.decode()
    deactivated = anna_client.post(url, {"role": "chief"})
    assert deactivated.status_code == 200
    membership.refresh_from_db()
    assert membership.role == "chief" and membership.is_active

    second = factories.user("agnes", unit=unit_a, role="chief")
    assert anna_client.post(url, {"role": "counsellor", "is_active": "on"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "counsellor"
    assert AuditEvent.objects.filter(action="membership.role.counsellor", object_id=str(membership.pk)).exists()
    assert Membership.objects.get(user=second).role == "chief"


def test_a_deactivated_member_cannot_open_the_unit_until_reactivated(anna_client, alice, alice_client, unit_a):
    membership = Membership.objects.get(user=alice)
    url = f"/{unit_a.slug}/staff/{membership.pk}/"
    assert anna_client.post(url, {"role": "counsellor"}).status_code == 302
    assert alice_client.get(f"/{unit_a.slug}/").status_code == 404
    assert unit_a.name not in alice_client.get("/").content.decode()
    staff_page = anna_client.get(f"/{unit_a.slug}/staff/").content.decode()
    assert "alice" in staff_page and "Inaktiverad" in staff_page
    assert anna_client.post(url, {"role": "counsellor", "is_active": "on"}).status_code == 302
    assert alice_client.get(f"/{unit_a.slug}/").status_code == 200
    actions = list(AuditEvent.objects.filter(object_id=str(membership.pk)).values_list("action", flat=True))
    assert set(actions) == {"membership.deactivate", "membership.reactivate"}


def test_staff_groups_are_named_by_the_chief_and_filter_the_session_list(anna_client, anna, alice, unit_a):
    assert anna_client.post(f"/{unit_a.slug}/staff/groups/", {"name": "Mottagning"}).status_code == 302
    duplicate = anna_client.post(f"/{unit_a.slug}/staff/groups/", {"name": "mottagning"})
    assert duplicate.status_code == 400
    with scope(unit=unit_a):
        group = StaffGroup.objects.get()
    membership = Membership.objects.get(user=alice)
    assert anna_client.post(f"/{unit_a.slug}/staff/{membership.pk}/",
                            {"role": "counsellor", "is_active": "on", "groups": [group.pk]}).status_code == 302
    with scope(unit=unit_a):
        assert list(membership.groups.all()) == [group]

    from tests.sessions_helpers import session

    with scope(unit=unit_a):
        mine = session(unit_a, counsellors=[alice])
        other = session(unit_a, counsellors=[anna])
    listed = anna_client.get(f"/{unit_a.slug}/sessions/?counsellor=group:{group.pk}").content.decode()
    assert f'id="session-{mine.pk}"' in listed and f'id="session-{other.pk}"' not in listed

    assert anna_client.post(f"/{unit_a.slug}/staff/groups/{group.pk}/", {"name": "Familjerätt"}).status_code == 302
    with scope(unit=unit_a):
        assert StaffGroup.objects.get().name == "Familjerätt"
    assert anna_client.post(f"/{unit_a.slug}/staff/groups/{group.pk}/", {"delete": "1", "name": "x"}).status_code == 302
    with scope(unit=unit_a):
        assert not StaffGroup.objects.exists()
    assert {"staff_group.create", "staff_group.rename", "staff_group.delete", "membership.groups"} <= set(
        AuditEvent.objects.values_list("action", flat=True))


def test_invitation_with_groups_puts_the_new_member_in_them(anna_client, unit_a, client):
    with scope(unit=unit_a):
        group = StaffGroup.objects.create(unit=unit_a, name="Utredning")
    _invite(anna_client, unit_a, groups=[group])
    client.post(_link(mail.outbox[0]), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    membership = Membership.objects.get(user__email="ny.radgivare@example.se")
    with scope(unit=unit_a):
        assert list(membership.groups.all()) == [group]


def test_a_withdrawn_invitation_cannot_be_used(anna_client, unit_a, client):
    _invite(anna_client, unit_a)
    invitation = Invitation.objects.get()
    assert anna_client.post(f"/{unit_a.slug}/staff/invitations/{invitation.pk}/revoke/").status_code == 302
    assert client.get(_link(mail.outbox[0])).status_code == 410


def test_staff_page_runs_a_fixed_number_of_queries(anna_client, unit_a, django_assert_max_num_queries):
    with scope(unit=unit_a):
        group = StaffGroup.objects.create(unit=unit_a, name="Utredning")
    factories.user("first", unit=unit_a, role="counsellor").memberships.get().groups.add(group)
    with django_assert_max_num_queries(30) as few:
        assert anna_client.get(f"/{unit_a.slug}/staff/").status_code == 200
    budget = len(few.captured_queries)
    for number in range(8):
        factories.user(f"more{number}", unit=unit_a, role="counsellor").memberships.get().groups.add(group)
        _invite(anna_client, unit_a, email=f"person{number}@example.se", groups=[group])
    anna_client.get(f"/{unit_a.slug}/staff/")  # shows the queued messages
    with django_assert_max_num_queries(budget):
        assert anna_client.get(f"/{unit_a.slug}/staff/").status_code == 200


# --- the organisation's administration accounts ------------------------------------------------

@pytest.fixture
def olga_manager(olga):
    OrgAccess.objects.filter(user=olga).update(manages_people=True)
    return olga


def test_an_account_manager_invites_an_administration_reader(olga_manager, unit_a, client):
    org = unit_a.organisation
    manager = logged_in(olga_manager)
    assert manager.get(f"/org/{org.slug}/people/").status_code == 200
    response = committed_post(manager, f"/org/{org.slug}/people/", {"email": "controller@linkoping.se",
                                                                    "role": "reader"})
    assert response.status_code == 302
    link = _link(mail.outbox[0])
    assert client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})["Location"] == f"/org/{org.slug}/"
    access = OrgAccess.objects.get(user__email="controller@linkoping.se")
    assert access.organisation == org and not access.manages_people
    assert client.get(f"/org/{org.slug}/").status_code == 200


def test_a_plain_reader_or_unit_staff_cannot_open_the_people_page(olga_client, anna_client, unit_a):
    org = unit_a.organisation
    assert olga_client.get(f"/org/{org.slug}/people/").status_code == 404
    assert olga_client.post(f"/org/{org.slug}/people/", {"email": "x@example.se", "role": "reader"}).status_code == 404
    assert anna_client.get(f"/org/{org.slug}/people/").status_code == 404
    assert not Invitation.objects.exists()


def test_the_last_account_manager_stays_and_a_deactivated_reader_is_out(olga_manager, unit_a):
    org = unit_a.organisation
    manager = logged_in(olga_manager)
    own = OrgAccess.objects.get(user=olga_manager)
    refused = manager.post(f"/org/{org.slug}/people/{own.pk}/", {"is_active": "on"})
    assert refused.status_code == 200 and OrgAccess.objects.get(pk=own.pk).manages_people
    reader = factories.user("rita", org=org)
    access = OrgAccess.objects.get(user=reader)
    assert logged_in(reader).get(f"/org/{org.slug}/").status_code == 200
    response = manager.post(f"/org/{org.slug}/people/{access.pk}/", {})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert logged_in(reader).get(f"/org/{org.slug}/").status_code == 404
    assert logged_in(reader).get(f"/{unit_a.slug}/").status_code == 404
    assert AuditEvent.objects.filter(action="org_access.deactivate", object_id=str(access.pk)).exists()


def test_another_organisations_account_is_404_on_the_people_page(olga_manager, oscar, unit_a):
    access = OrgAccess.objects.get(user=oscar)
    manager = logged_in(olga_manager)
    assert manager.get(f"/org/{unit_a.organisation.slug}/people/{access.pk}/").status_code == 404
    assert manager.post(f"/org/{unit_a.organisation.slug}/people/{access.pk}/", {}).status_code == 404
    assert OrgAccess.objects.get(pk=access.pk).is_active


def test_both_pages_list_open_invitations_with_a_withdraw_button_to_their_own_url(anna_client, olga_manager, unit_a):
    # One include (accounts/_open_invitations.html) for the staff page and the people page.
    _invite(anna_client, unit_a)
    staff_invitation = Invitation.objects.get()
    action = reverse("accounts_staff:invitation_revoke",
                     kwargs={"unit_slug": unit_a.slug, "invitation_id": staff_invitation.pk})
    assert f'action="{action}"' in anna_client.get(f"/{unit_a.slug}/staff/").content.decode()
    org = unit_a.organisation
    manager = logged_in(olga_manager)
    committed_post(manager, f"/org/{org.slug}/people/", {"email": "controller@linkoping.se", "role": "reader"})
    org_invitation = Invitation.objects.exclude(pk=staff_invitation.pk).get()
    action = reverse("accounts_people:invitation_revoke", kwargs={"org_slug": org.slug,
                                                                  "invitation_id": org_invitation.pk})
    assert f'action="{action}"' in manager.get(f"/org/{org.slug}/people/").content.decode()
    assert manager.post(action).status_code == 302
    org_invitation.refresh_from_db()
    assert org_invitation.revoked_at is not None
