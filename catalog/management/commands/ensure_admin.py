"""Create the `admin` superuser if it does not exist (password from CATALOG_ADMIN_PASSWORD)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the admin user when missing."

    def handle(self, *args, **options) -> None:
        users = get_user_model()
        if users.objects.filter(username="admin").exists():
            self.stdout.write("User 'admin' exists.")
            return
        users.objects.create_superuser("admin", "admin@example.com", settings.CATALOG_ADMIN_PASSWORD)
        self.stdout.write(self.style.SUCCESS("Created superuser 'admin'."))
