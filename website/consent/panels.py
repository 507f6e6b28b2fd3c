"""The consent panel of the story editor: read-only, with links to record more.

Consent records are not part of the page (not an inline panel): a page's inline rows only
reach the database when it is published, and a withdrawal must take effect when it is saved.
"""

from django.db.models import Q
from django.urls import reverse
from wagtail.admin.panels import Panel


class ConsentPanel(Panel):
    """The consent behind the story and behind its main photo."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "website/consent/page_panel.html"

        def get_context_data(self, parent_context=None):
            from website.consent.links import record_edit_url
            from website.consent.status import state_label
            from website.models import ConsentRecord

            context = super().get_context_data(parent_context)
            page = self.instance
            records = []
            if page.pk:
                about_page = Q(story_id=page.pk)
                if page.hero_image_id:
                    about_page |= Q(image_id=page.hero_image_id)
                records = ConsentRecord.objects.filter(about_page).select_related("story", "image")
            add_url = reverse("consent_editorial:add")
            context.update(
                saved=bool(page.pk),
                rows=[
                    {
                        "record": record,
                        "state": state_label(record),
                        "edit_url": record_edit_url(record),
                    }
                    for record in records
                ],
                add_url=f"{add_url}?story={page.pk}",
                add_photo_url=page.hero_image_id and f"{add_url}?image={page.hero_image_id}",
            )
            return context
