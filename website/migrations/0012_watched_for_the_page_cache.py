"""A change to what these tables hold moves the "content" generation, in the same transaction, so
no page kept in the page cache outlives it (core/generations.py, core/page_cache.py)."""

from django.db import migrations

import core.generations


class Migration(migrations.Migration):
    dependencies = [
        ("website", "0011_consent_link_moves_to_prayer"),
        ("core", "0003_generations"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        core.generations.WatchTables(
            "content",
            [
                "ConsentRecord",
                "HomePage",
                "StandardPage",
                "MinistryPage",
                "MinistryGalleryImage",
                "Region",
                "StoryTag",
                "NewsIndexPage",
                "StoryPage",
                "WaysInSettings",
                "core.OrganisationSettings",
                "wagtailcore.Page",
                "wagtailcore.Site",
                "wagtailcore.Locale",
                "wagtailcore.Collection",
                "wagtailcore.PageViewRestriction",
                "wagtailcore.CollectionViewRestriction",
                "wagtailimages.Image",
                "wagtaildocs.Document",
                "wagtailredirects.Redirect",
                "taggit.Tag",
            ],
        ),
    ]
