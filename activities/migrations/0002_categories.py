"""The activity categories of the reference data, tagged by cornerstone and FINGER component."""

from django.db import migrations

# slug, Swedish, English, cornerstone, FINGER
CATEGORIES = [
    ("fysisk-aktivitet", "Fysisk aktivitet", "Physical activity", True, True),
    ("social-gemenskap", "Social gemenskap", "Social belonging", True, True),
    ("meningsfullhet", "Kultur och meningsfullhet", "Culture and meaning", True, False),
    ("mat-och-maltider", "Mat och måltider", "Food and meals", True, True),
    ("kognitiv-traning", "Hjärnträning", "Cognitive training", False, True),
    ("halsa", "Hälsa och egna värden", "Health checks", False, True),
    ("digital-hjalp", "Digital hjälp", "Digital help", False, False),
    ("forelasning", "Föreläsning och kurs", "Talks and courses", False, False),
    ("valfardsteknik-prova", "Prova välfärdsteknik", "Try welfare technology", False, False),
]


def create(apps, schema_editor):
    Category = apps.get_model("activities", "Category")
    for position, (slug, sv, en, cornerstone, finger) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            slug=slug,
            defaults={
                "name_sv": sv,
                "name_en": en,
                "is_cornerstone": cornerstone,
                "is_finger": finger,
                "position": position,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("activities", "Category").objects.filter(slug__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
