from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("comments", "0009_held_because_as_reasons")]

    operations = [migrations.RemoveField(model_name="comment", name="held_because")]
