from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from relais.core.accounts.models import User
from relais.core.accounts.services import api_token_create


class Command(BaseCommand):
    help = (
        "Create a personal API token for USERNAME and print its key. The key is shown only "
        "this once: only its SHA-256 digest is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the user the token acts as")
        parser.add_argument(
            "--name", required=True, help="what the token is for, e.g. 'export nightly'"
        )

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            token, key = api_token_create(user=user, name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token {token.name!r} created for {user.username} (prefix {token.prefix}). "
            "Store the key now: it cannot be shown again."
        )
        self.stdout.write(key)
