"""Create a local superuser for trying the admin, and print how to sign in.

The password is random, made once, and kept in var/demo-admin-password (git-ignored).
Refuses to run when DEBUG is off: this is for a developer's machine only.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "editor"


class Command(BaseCommand):
    help = "Create the local demo superuser 'editor' (DEBUG only) and print its login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/admin/",
            help="Where the admin will be served, for the printed login.",
        )

    def handle(self, *args, url: str, **options):
        if not settings.DEBUG:
            raise CommandError("create_demo_admin is for local development: set DEBUG=true.")
        password_file = settings.VAR_DIR / "demo-admin-password"
        user_model = get_user_model()
        user = user_model.objects.filter(username=USERNAME).first()
        if user is None or not password_file.exists():
            password = secrets.token_urlsafe(12)
            if user is None:
                user = user_model.objects.create_superuser(USERNAME, password=password)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password)
            password_file.chmod(0o600)
        password = password_file.read_text().strip()
        self.stdout.write(
            self.style.SUCCESS(f"Admin: {url}  user: {USERNAME}  password: {password}")
        )
