from django.db import migrations


def load(apps, schema_editor):
    from haven.geo.loader import sync_geography

    sync_geography(apps)  # idempotent: fills the regions' help desks from geography.json


class Migration(migrations.Migration):
    dependencies = [("geo", "0003_region_help_desk")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
