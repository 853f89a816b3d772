from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from jpoa.accounts.audit import acting_as
from jpoa.api.models import ApiToken
from jpoa.lib.commands import JpoaCommand, require_migrated_database


class Command(JpoaCommand):
    help = (
        "Create, list or revoke personal API tokens. A new token is printed once and "
        "never stored (only its SHA-256 hash is)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for a user and print it once")
        create.add_argument("--user", required=True, help="the user's login name")
        create.add_argument("--name", required=True, help="what the token is for")
        revoke = sub.add_parser("revoke", help="revoke a token")
        revoke.add_argument("--user", required=True, help="the user's login name")
        revoke.add_argument("--name", help="the token's name (default: all of the user's tokens)")
        listing = sub.add_parser("list", help="list tokens")
        listing.add_argument("--user", help="only this user's tokens")

    def handle(self, *args, action, **options):
        require_migrated_database()
        return getattr(self, f"_{action}")(**options)

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        return user

    def _create(self, *, user, name, **_options):
        owner = self._user(user)
        with acting_as(owner):
            _record, token = ApiToken.issue(user=owner, name=name)
        self.stderr.write("Copy this token now; it is not stored and is not shown again:")
        self.stdout.write(token)

    def _revoke(self, *, user, name=None, **_options):
        owner = self._user(user)
        tokens = ApiToken.objects.active().filter(user=owner)
        if name:
            tokens = tokens.filter(name=name)
        revoked = 0
        with acting_as(owner):
            for token in tokens:
                token.revoke()
                revoked += 1
        if not revoked:
            raise CommandError("no active token matches")
        self.stdout.write(f"{revoked} token(s) revoked")

    def _list(self, *, user=None, **_options):
        tokens = ApiToken.objects.select_related("user")
        if user:
            tokens = tokens.filter(user=self._user(user))
        for t in tokens:
            state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
            self.stdout.write(f"{t.user.username}\t{t.name}\t{t.prefix}…\t{state}")
