from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from identity.roles import ROLE_PERMISSIONS, roles_ensure


class Command(BaseCommand):
    help = "Create or complete the staff role groups and their permissions (idempotent)."

    def handle(self, *args, **options):
        roles_ensure(Group, Permission)
        self.stdout.write(f"roles ready: {', '.join([*ROLE_PERMISSIONS, 'admin'])}")
