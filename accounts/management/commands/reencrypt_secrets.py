from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import encryption, sso


class Command(BaseCommand):
    help = ("Encrypt every stored secret (identity providers' client secrets) again with the first key of "
            "SECRETS_ENCRYPTION_KEYS (or SECRET_KEY), so older keys can be removed.")

    def handle(self, *args, **options):
        try:
            count = sso.provider_secrets_reencrypt()
        except encryption.SecretUnreadable as error:
            raise CommandError(_(
                "The client secret of %(provider)s cannot be decrypted with the configured keys; nothing was "
                "changed. Keep the old key in the list, or enter that secret again in /admin/.")
                % {"provider": error.provider}) from error
        self.stdout.write(ngettext("%(count)d stored secret is now encrypted with the first key.",
                                   "%(count)d stored secrets are now encrypted with the first key.", count)
                          % {"count": count})
