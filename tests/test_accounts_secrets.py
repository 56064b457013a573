"""The identity provider's client secret is stored encrypted (accounts.encryption), never shown
back in /admin/, converted by its migration, and survives key rotation (issue 13)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from accounts import encryption
from accounts.models import IdentityProvider
from tests.conftest import logged_in
from units.models import AuditEvent

SECRET = "s3cret-from-the-provider-Ü"
OLD_KEY, NEW_KEY = (encryption.derived_key(label).decode() for label in ("old", "new"))


def _provider(organisation, **fields):
    return IdentityProvider.objects.create(organisation=organisation, name="Linköpings inloggning",
                                           issuer="https://idp.example/", client_id="familjestod",
                                           client_secret=SECRET, **fields)


def _stored(provider) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_identityprovider WHERE id = %s", [provider.pk])
        return repr(cursor.fetchone())


def test_the_database_holds_only_a_token_and_the_model_reads_the_secret(unit_a):
    provider = _provider(unit_a.organisation)
    assert SECRET not in _stored(provider) and "s3cret" not in _stored(provider)
    assert IdentityProvider.objects.get().client_secret == SECRET
    # A listing (the log-in page's buttons) does not decrypt; only signing in does.
    assert IdentityProvider.objects.only("name").get().name == "Linköpings inloggning"


def test_a_key_that_opens_nothing_is_a_provider_error_not_a_leak(unit_a):
    with override_settings(SECRETS_ENCRYPTION_KEYS=[OLD_KEY]):
        _provider(unit_a.organisation)
    with override_settings(SECRETS_ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(encryption.SecretUnreadable):
        IdentityProvider.objects.get().client_secret  # noqa: B018 - reading is the test
    assert issubclass(encryption.SecretUnreadable, ValueError)  # oidc_views answer it as provider_error


def test_a_malformed_key_setting_is_a_clear_configuration_error(unit_a):
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(SECRETS_ENCRYPTION_KEYS=["not-a-fernet-key"]), \
            pytest.raises(ImproperlyConfigured, match="Fernet"):
        _provider(unit_a.organisation)
    assert not IdentityProvider.objects.exists()


def test_rotation_new_key_first_then_reencrypt_then_the_old_key_goes(unit_a):
    with override_settings(SECRETS_ENCRYPTION_KEYS=[OLD_KEY]):
        provider = _provider(unit_a.organisation)
        before = _stored(provider)
    with override_settings(SECRETS_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert IdentityProvider.objects.get().client_secret == SECRET
        out = StringIO()
        call_command("reencrypt_secrets", stdout=out)
    assert out.getvalue().startswith("1 ")
    assert _stored(provider) != before
    with override_settings(SECRETS_ENCRYPTION_KEYS=[NEW_KEY]):
        assert IdentityProvider.objects.get().client_secret == SECRET
    assert AuditEvent.objects.filter(action="sso.secret_reencrypt", object_id=str(provider.pk)).exists()


def test_rotating_secret_key_through_the_fallbacks_carries_the_secret(unit_a, settings):
    settings.SECRETS_ENCRYPTION_KEYS = []
    old, new = "the-old-django-secret-key-" * 2, "the-new-django-secret-key-" * 2
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = old, []
    _provider(unit_a.organisation)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = new, [old]
    assert IdentityProvider.objects.get().client_secret == SECRET
    call_command("reencrypt_secrets", stdout=StringIO())
    settings.SECRET_KEY_FALLBACKS = []
    assert IdentityProvider.objects.get().client_secret == SECRET


def test_reencrypting_with_a_secret_no_key_opens_changes_nothing(unit_a):
    from tests import factories

    with override_settings(SECRETS_ENCRYPTION_KEYS=[NEW_KEY]):
        readable = _provider(unit_a.organisation)
    with override_settings(SECRETS_ENCRYPTION_KEYS=[OLD_KEY]):
        lost = _provider(factories.organisation("malmo", "Malmö stad", "Malmö"))
    before = (_stored(readable), _stored(lost))
    with override_settings(SECRETS_ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(CommandError, match="nothing was"):
        call_command("reencrypt_secrets")
    assert (_stored(readable), _stored(lost)) == before


# --- /admin/: write-only -----------------------------------------------------------------------------

@pytest.fixture
def platform_admin_client(db):
    return logged_in(get_user_model().objects.create_superuser("root", "root@example.se", "x"))


def _admin_form(provider, **changes):
    return {"organisation": provider.organisation_id, "name": provider.name, "issuer": provider.issuer,
            "client_id": provider.client_id, "client_secret": "", "claim": provider.claim,
            "scopes": provider.scopes, "password_allowed": "on", "enabled": "on", **changes}


def test_the_admin_never_renders_the_secret_and_an_empty_field_keeps_it(platform_admin_client, unit_a):
    provider = _provider(unit_a.organisation)
    url = f"/admin/accounts/identityprovider/{provider.pk}/change/"
    page = platform_admin_client.get(url).content.decode()
    assert 'type="password" name="client_secret"' in page
    assert SECRET not in page and provider.client_secret_encrypted not in page
    assert platform_admin_client.post(url, _admin_form(provider, name="Ny knapp")).status_code == 302
    provider.refresh_from_db()
    assert provider.name == "Ny knapp" and provider.client_secret == SECRET
    assert platform_admin_client.post(url, _admin_form(provider, client_secret="a-new-secret")).status_code == 302
    provider.refresh_from_db()
    assert provider.client_secret == "a-new-secret"
    assert "a-new-secret" not in platform_admin_client.get(url).content.decode()


def test_adding_a_provider_without_a_secret_is_refused(platform_admin_client, unit_a):
    unsaved = IdentityProvider(organisation=unit_a.organisation, name="X", issuer="https://idp.example/",
                               client_id="c")
    response = platform_admin_client.post("/admin/accounts/identityprovider/add/", _admin_form(unsaved))
    assert response.status_code == 200 and not IdentityProvider.objects.exists()
    assert response.context["adminform"].form.errors["client_secret"]


# --- the migration ---------------------------------------------------------------------------------

def test_the_migration_encrypts_existing_rows_and_going_back_decrypts_them(unit_a):
    before, after = [("accounts", "0001_initial")], [("accounts", "0002_client_secret_encrypted")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    Old = executor.loader.project_state(before).apps.get_model("accounts", "IdentityProvider")
    Old.objects.create(organisation_id=unit_a.organisation_id, name="Gammal", issuer="https://idp.example/",
                       client_id="c", client_secret=SECRET)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks before ALTER TABLE
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    provider = IdentityProvider.objects.get()
    assert SECRET not in _stored(provider) and provider.client_secret == SECRET

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    Old = executor.loader.project_state(before).apps.get_model("accounts", "IdentityProvider")
    assert Old.objects.get().client_secret == SECRET
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
