import getpass
import os

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import audit
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Create the first system administrator with a verified e-mail address, so the first sign-in does "
        "not depend on working e-mail. The password is asked for, or read from ADMIN_PASSWORD."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="")

    def handle(self, *args, email: str, name: str, **options) -> None:
        email = email.strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"A user with the e-mail address {email} already exists.")
        password = os.environ.get("ADMIN_PASSWORD") or getpass.getpass("Password: ")
        try:
            validate_password(password, User(email=email, full_name=name))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with transaction.atomic():
            user = User.objects.create_superuser(email=email, password=password, full_name=name)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            audit.record("accounts.admin.create", obj=user, actor_label="manage.py create_admin")
        self.stdout.write(self.style.SUCCESS(f"Administrator {email} created."))
