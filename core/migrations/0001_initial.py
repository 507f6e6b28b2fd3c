"""Core takes over models that website created: the suppression list, webhook receipts, the
task heartbeat and the organisation settings. Their tables keep their names and rows (each
model names its db_table), so this migration changes only Django's state, never the database;
website 0009 removes them from website's state and moves their content types over.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('wagtailcore', '0098_apitoken'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Suppression',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254, unique=True)),
                        ('reason', models.CharField(blank=True, choices=[('hard_bounce', 'Hard bounce'), ('soft_bounces', 'Repeated soft bounces'), ('complaint', 'Spam complaint'), ('unsubscribed', 'Unsubscribed at the provider'), ('manual', 'Added by staff')], max_length=20)),
                        ('active', models.BooleanField(default=False, help_text='Suppressed now.')),
                        ('soft_bounce_count', models.PositiveIntegerField(default=0)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'db_table': 'website_suppression',
                        'ordering': ['-updated_at'],
                    },
                ),
                migrations.CreateModel(
                    name='TaskHeartbeat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('cluster', models.CharField(max_length=100, unique=True)),
                        ('beat_at', models.DateTimeField()),
                    ],
                    options={
                        'db_table': 'website_taskheartbeat',
                    },
                ),
                migrations.CreateModel(
                    name='WebhookReceipt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(help_text="SHA-256 of the event's identity.", max_length=64, unique=True)),
                        ('received_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                    ],
                    options={
                        'db_table': 'website_webhookreceipt',
                    },
                ),
                migrations.CreateModel(
                    name='OrganisationSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('organisation_name', models.CharField(default='Vigil', max_length=120)),
                        ('tagline', models.CharField(blank=True, max_length=200)),
                        ('donate_url', models.URLField(blank=True, help_text='Where the Give buttons lead.')),
                        ('contact_email', models.EmailField(blank=True, max_length=254)),
                        ('contact_phone', models.CharField(blank=True, max_length=40)),
                        ('postal_address', models.TextField(blank=True, help_text='The office address only. Never a safe-house address.')),
                        ('facebook_url', models.URLField(blank=True)),
                        ('instagram_url', models.URLField(blank=True)),
                        ('x_url', models.URLField(blank=True, verbose_name='X (Twitter) URL')),
                        ('youtube_url', models.URLField(blank=True)),
                        ('linkedin_url', models.URLField(blank=True)),
                        ('x_handle', models.CharField(blank=True, help_text='Without the @.', max_length=40, verbose_name='X (Twitter) handle')),
                        ('site', models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, to='wagtailcore.site')),
                    ],
                    options={
                        'verbose_name': 'organisation',
                        'db_table': 'website_organisationsettings',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
