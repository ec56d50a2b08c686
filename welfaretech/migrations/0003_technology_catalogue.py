from django.db import migrations


def create_catalogue(apps, schema_editor):
    from welfaretech.catalogue import install

    install(apps.get_model("welfaretech", "TechnologyType"), apps.get_model("welfaretech", "EventBenefit"))


class Migration(migrations.Migration):
    dependencies = [("welfaretech", "0002_catalogue_devices_events")]

    operations = [migrations.RunPython(create_catalogue, migrations.RunPython.noop)]
