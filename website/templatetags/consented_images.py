"""Wagtail's image tags, minus photos whose consent has ended.

Registered under Wagtail's own name, `wagtailimages_tags` (TEMPLATES "libraries" setting), so
every `{% image %}`, `{% srcset_image %}` and `{% picture %}` on the site goes through this
gate, including templates written after it. `{% srcset_image %}` also leaves out a rendition
whose width repeats an earlier one. Each tag builds its filters once, when its template is
compiled, not once per picture shown (Wagtail's own tags parse the spec again on every render).
Everything else is Wagtail's library unchanged.
"""

from django import template
from wagtail.images.models import ResponsiveImage
from wagtail.images.shortcuts import get_renditions_or_not_found
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


class FiltersOnce:
    """A Wagtail image node whose Filter objects are made once and reused: a Filter is
    immutable once built, and works out its operations (and their signature checks) lazily,
    so a new one per render redoes that work for every card of every listing."""

    def get_filter(self):
        try:
            return self._filter
        except AttributeError:
            self._filter = super().get_filter()
            return self._filter

    def get_filters(self):
        try:
            return self._filters
        except AttributeError:
            self._filters = super().get_filters()
            return self._filters


class DistinctWidthsResponsiveImage(ResponsiveImage):
    """A srcset without repeated widths.

    Wagtail never enlarges a picture, so one narrower than the widths a template asks for gives
    several renditions of its own width, and "a.jpg 32w, b.jpg 32w" is an invalid srcset (the
    Nu HTML Checker's error; browsers pick arbitrarily). The first of each width is kept, and
    when one is left, so is no `sizes` (valid only beside a srcset)."""

    def __init__(self, renditions, attrs=None):
        super().__init__(renditions, attrs)
        widths = set()
        distinct = []
        for rendition in self.renditions:
            if rendition.width not in widths:
                widths.add(rendition.width)
                distinct.append(rendition)
        self.renditions = distinct

    def __html__(self):
        if len(self.renditions) == 1 and self.attrs:
            self.attrs = {name: value for name, value in self.attrs.items() if name != "sizes"}
        return super().__html__()


class ImageNode(FiltersOnce, wagtailimages_tags.ImageNode):
    pass


class PictureNode(FiltersOnce, wagtailimages_tags.PictureNode):
    pass


class DistinctWidthsSrcsetImageNode(FiltersOnce, wagtailimages_tags.SrcsetImageNode):
    """Wagtail's `{% srcset_image %}`, its renditions wrapped without repeated widths."""

    def render(self, context):
        image = self.validate_image(context)
        if not image:
            return ""
        renditions = get_renditions_or_not_found(image, self.get_filters())
        if self.output_var_name:
            context[self.output_var_name] = DistinctWidthsResponsiveImage(renditions)
            return ""
        attrs = {key: value.resolve(context) for key, value in self.attrs.items()}
        return DistinctWidthsResponsiveImage(renditions, attrs).__html__()


def consented(parser, token):
    node = wagtailimages_tags.image(parser, token)
    ours = {
        wagtailimages_tags.ImageNode: ImageNode,
        wagtailimages_tags.SrcsetImageNode: DistinctWidthsSrcsetImageNode,
        wagtailimages_tags.PictureNode: PictureNode,
    }
    if type(node) in ours:
        node.__class__ = ours[type(node)]
    return ConsentedImageNode(node)


for name in ("image", "srcset_image", "picture"):
    register.tag(name, consented)
