from django.db import migrations


def load(apps, schema_editor):
    from haven.geo.loader import sync_geography

    sync_geography(apps)


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
