from django.db import migrations


class Migration(migrations.Migration):
    """Every row reached by a signed link calls its counter `link_version`. A rename keeps the
    values, so links already emailed (a token carries the value, not the name) still work."""

    dependencies = [
        ("prayer", "0009_message_deliveries"),
    ]

    operations = [
        migrations.RenameField(
            model_name="calendarsubscription", old_name="token_version", new_name="link_version"
        ),
        migrations.RenameField(
            model_name="vigilsignup", old_name="token_version", new_name="link_version"
        ),
    ]
