"""Lift the sign-in lock on an account or an address after too many failed attempts."""

from django.core.management.base import BaseCommand, CommandError

from magazine import login_limits


class Command(BaseCommand):
    help = "Unlock admin sign-in for a user name and/or an IP address."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="")
        parser.add_argument("--address", default="", help="The IP address that was locked.")

    def handle(self, *args, username: str, address: str, **options):
        if not username and not address:
            raise CommandError("Give --username, --address, or both.")
        login_limits.clear(username=username, address=address)
        who = " and ".join(
            filter(None, [username and f"user {username!r}", address and f"address {address}"])
        )
        self.stdout.write(self.style.SUCCESS(f"Unlocked {who}."))
