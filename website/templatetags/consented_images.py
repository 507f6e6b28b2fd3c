"""Wagtail's image tags, minus photos whose consent has ended.

Registered under Wagtail's own name, `wagtailimages_tags` (TEMPLATES "libraries" setting), so
every `{% image %}`, `{% srcset_image %}` and `{% picture %}` on the site goes through this
gate, including templates written after it. Everything else is Wagtail's library unchanged.
"""

from django import template
from wagtail.images.templatetags import wagtailimages_tags

from website.consent.images import shown

register = template.Library()
register.tags.update(wagtailimages_tags.register.tags)
register.filters.update(wagtailimages_tags.register.filters)


class ConsentedImageNode(template.Node):
    """Renders Wagtail's node, or nothing (and `as` variable None) for a hidden image."""

    def __init__(self, node):
        self.node = node

    def render(self, context):
        image = self.node.validate_image(context)
        if image and not shown(image, context.get("request")):
            if self.node.output_var_name:
                context[self.node.output_var_name] = None
            return ""
        return self.node.render(context)


def consented(parser, token):
    return ConsentedImageNode(wagtailimages_tags.image(parser, token))


for name in ("image", "srcset_image", "picture"):
    register.tag(name, consented)
