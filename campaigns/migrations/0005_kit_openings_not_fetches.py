"""A kit download is an opening: one row per (registration, resource) with the time of the
first. The count of GETs (every mail scanner's included) and the time of the last one go."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0004_registration_reduced_at'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='resourcedownload',
            name='count',
        ),
        migrations.RemoveField(
            model_name='resourcedownload',
            name='last_at',
        ),
        migrations.AlterField(
            model_name='resourcedownload',
            name='first_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='first opened'),
        ),
    ]
