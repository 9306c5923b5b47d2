from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create a superuser if it does not exist yet (for demos and first installs)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args, username, password, email, **options):
        if settings.IS_PRODUCTION and password == username:
            raise CommandError("refusing a password equal to the username in the production profile")
        users = get_user_model().objects
        if users.filter(username=username).exists():
            self.stdout.write(f"user {username!r} exists already")
            return
        users.create_superuser(username=username, password=password, email=email)
        self.stdout.write(f"superuser {username!r} created")
