from accounts.demo import demo_user

from .models import Association, Representative


def seed() -> list[str]:
    association, _ = Association.objects.update_or_create(
        slug="pro-vingaker", defaults={"name": "PRO Vingåker", "org_number": "802473-5593"}
    )
    Representative.objects.update_or_create(
        association=association,
        user=demo_user("forening@example.org"),
        defaults={"role": Representative.Role.ADMIN},
    )
    Association.objects.update_or_create(
        slug="spf-seniorerna-hogsjo", defaults={"name": "SPF Seniorerna Högsjö", "org_number": "817606-1234"}
    )
    return ["Associations: PRO Vingåker (represented by forening@example.org), SPF Seniorerna Högsjö"]
