"""The identity provider's client secret, stored in clear until now, becomes a Fernet token
(accounts.encryption). Existing rows are converted here; going back decrypts them."""

from django.db import migrations, models

from accounts import encryption


def _convert(apps, schema_editor, *, source, target, convert):
    IdentityProvider = apps.get_model("accounts", "IdentityProvider")
    providers = IdentityProvider.objects.using(schema_editor.connection.alias)
    rows = list(providers.all())
    for row in rows:
        setattr(row, target, convert(getattr(row, source)))
    providers.bulk_update(rows, [target])


def encrypt_existing(apps, schema_editor):
    _convert(apps, schema_editor, source="client_secret", target="client_secret_encrypted",
             convert=encryption.encrypt)


def decrypt_existing(apps, schema_editor):
    _convert(apps, schema_editor, source="client_secret_encrypted", target="client_secret",
             convert=encryption.decrypt)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='identityprovider',
            name='client_secret_encrypted',
            field=models.TextField(default='', editable=False, verbose_name='client secret, encrypted'),
            preserve_default=False,
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        # A default only so that going back can re-add the column to existing rows before decrypting into it.
        migrations.AlterField(
            model_name='identityprovider',
            name='client_secret',
            field=models.CharField(default='', max_length=500, verbose_name='client secret'),
        ),
        migrations.RemoveField(
            model_name='identityprovider',
            name='client_secret',
        ),
    ]
