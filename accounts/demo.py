"""Demo accounts of DESIGN.md. All share one password and only exist in demo mode."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from .models import User
from .roles import ADMIN, Role

DEMO_PASSWORD = "demo-senior-2026"

# e-mail, name, role
DEMO_ACCOUNTS = [
    ("senior@example.org", "Maj-Britt Andersson", Role.SENIOR),
    ("forening@example.org", "Göran Lindqvist", Role.ASSOCIATION_REP),
    ("samordnare@example.org", "Sara Nilsson", Role.COORDINATOR),
    ("hemtjanst@example.org", "Amina Hassan", Role.HOMECARE_STAFF),
    ("valfardsteknik@example.org", "Jonas Berg", Role.WELFARETECH_ADMIN),
    ("tjansteperson@example.org", "Eva Karlsson", Role.OFFICIAL),
    ("admin@example.org", "Systemadministratör", ADMIN),
]


def demo_user(email: str) -> User:
    return User.objects.get(email=email)


def seed() -> list[str]:
    lines = []
    for email, name, role in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(email=email, defaults={"full_name": name})
        user.full_name = name
        user.is_superuser = user.is_staff = role == ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([] if role == ADMIN else [Group.objects.get(name=role)])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        lines.append(f"{email:<30} {role}")
    return lines
