"""Make sure the demo editor account exists and say how to log in.

The password is generated on first run (never a fixed default) and kept in a
git-ignored file readable only by its owner, so that later runs can print it.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

CREDENTIALS_FILE = Path(settings.BASE_DIR) / ".editor-credentials"


class Command(BaseCommand):
    help = "Create the 'editor' account in the Editors group if missing and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    def handle(self, *args, username, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"is_staff": True, "first_name": "Demo", "last_name": "Editor"},
        )
        user.groups.add(Group.objects.get(name="Editors"))
        if created or not CREDENTIALS_FILE.exists():
            if not created and user.has_usable_password():
                self.stdout.write(
                    f"  Editor login:     {username} (password set earlier; change it with "
                    f"`manage.py changepassword {username}`)"
                )
                return
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
            CREDENTIALS_FILE.write_text(f"{username}\n{password}\n")
            os.chmod(CREDENTIALS_FILE, 0o600)
        stored_username, password = CREDENTIALS_FILE.read_text().split()[:2]
        if stored_username != username or not user.check_password(password):
            self.stdout.write(
                f"  Editor login:     {username} (password changed since it was generated)"
            )
            return
        self.stdout.write(f"  Editor login:     {username} / {password}")
