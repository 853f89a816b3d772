import os
import sys
from getpass import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from jpoa.accounts.models import Profile, Role
from jpoa.core.models import Country, Organisation
from jpoa.lib.commands import JpoaCommand, require_migrated_database

PASSWORD_VARIABLE = "JPOA_PASSWORD"


class Command(JpoaCommand):
    help = (
        "Add a user account. At a terminal it asks for what the options do not give; "
        "in scripts use --noinput with --username and the password in an environment "
        f"variable ({PASSWORD_VARIABLE}, or the one --password-env names), never on the "
        "command line. Passwords are checked by the site's password rules."
    )

    # As Django's createsuperuser: adding an account needs the database, not the site's
    # checks (URLs, templates), which cost a second and a half of start-up.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--username", help="the login name")
        parser.add_argument("--email", default=None, help="e-mail address (optional)")
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            default=PASSWORD_VARIABLE,
            help="environment variable holding the password (default: %(default)s)",
        )
        parser.add_argument(
            "--staff", action="store_true", help="may sign in to the back office (/admin/)"
        )
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="has every permission (a programme coordinator); implies --staff",
        )
        parser.add_argument(
            "--role",
            choices=[choice.value for choice in Role],
            help="the user's role in the programme (coordinator, organisation_focal_point, ...)",
        )
        parser.add_argument(
            "--organisation",
            metavar="KEY",
            help="for an organisation focal point: the key of the organisation, e.g. osce",
        )
        parser.add_argument(
            "--country",
            metavar="ISO2",
            help="for a state focal point: the country's ISO code, e.g. KZ",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="never prompt; fail if the username or password is missing",
        )

    def handle(self, *args, username, email, password_env, staff, superuser, interactive, **opts):
        require_migrated_database()
        profile = self.profile_from(opts["role"], opts["organisation"], opts["country"])
        interactive = interactive and sys.stdin.isatty()
        password = os.environ.get(password_env) or None
        missing = f"give --username and set the password in ${password_env} (or run at a terminal)"
        if not interactive and not username:
            raise CommandError(missing)
        User = get_user_model()
        if username is None:
            username = input("Username: ").strip()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"a user named {username!r} already exists")
        if not interactive and not password:
            raise CommandError(missing)
        if email is None:
            email = input("E-mail address (optional): ").strip() if interactive else ""
        user = User(
            username=username,
            email=User.objects.normalize_email(email),
            is_staff=staff or superuser,
            is_superuser=superuser,
        )
        if password is None:
            password = self.ask_password(user)
        else:
            self.check_password(password, user)
        user.set_password(password)
        with transaction.atomic():
            self.save(user)
            if profile is not None:
                profile.user = user
                profile.save()
        kind = "superuser" if superuser else "staff user" if staff else "user"
        role = ""
        if profile is not None:
            speaks_for = profile.organisation or profile.country
            role = f" as {profile.get_role_display()}" + (f" of {speaks_for}" if speaks_for else "")
        self.stdout.write(f"Created {kind} {username!r}{role}")

    def profile_from(self, role: str | None, organisation: str | None, country: str | None):
        """The programme role to give the new user, checked before anything is written."""
        if role is None:
            if organisation or country:
                raise CommandError("--organisation and --country go with --role")
            return None
        profile = Profile(role=role)
        if role == Role.ORGANISATION_FOCAL_POINT:
            if not organisation:
                raise CommandError("an organisation focal point needs --organisation KEY")
            profile.organisation = Organisation.objects.filter(key=organisation).first()
            if profile.organisation is None:
                raise CommandError(f"no organisation with key {organisation!r}")
        if role == Role.STATE_FOCAL_POINT:
            if not country:
                raise CommandError("a state focal point needs --country ISO2")
            profile.country = Country.objects.filter(iso2=country.upper()).first()
            if profile.country is None:
                raise CommandError(f"no country with ISO code {country!r}")
        return profile

    def check_password(self, password: str, user) -> None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(f"password rejected: {' '.join(exc.messages)}") from exc

    def ask_password(self, user) -> str:
        while True:
            password = getpass("Password: ")
            if password != getpass("Password (again): "):
                self.stderr.write("The passwords do not match; try again.")
                continue
            try:
                self.check_password(password, user)
            except CommandError as exc:
                self.stderr.write(f"{exc}; try again.")
                continue
            return password

    def save(self, user) -> None:
        try:
            user.full_clean()
            user.save()
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
            )
            raise CommandError(f"cannot create the user: {problems}") from exc
        except IntegrityError as exc:  # created by someone else meanwhile
            raise CommandError(f"a user named {user.username!r} already exists") from exc
