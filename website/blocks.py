"""StreamField blocks for the editorial pages."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from website.consent.images import shown


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False,
        max_length=250,
        help_text="Describe the image for people who cannot see it. Leave empty for decoration.",
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "website/blocks/image_with_caption.html"
        preview_value = {"caption": "A tailoring class at the drop-in centre"}
        description = "An image with an optional caption"

    def render(self, value, context=None):
        """A photo whose consent has ended leaves with its caption (website/consent/images.py)."""
        if not shown(value.get("image"), context and context.get("request")):
            return ""
        return super().render(value, context)


class PullQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(max_length=600)
    attribution = blocks.CharBlock(required=False, max_length=120)

    class Meta:
        icon = "openquote"
        template = "website/blocks/pull_quote.html"
        preview_value = {
            "quote": "For the first time, someone asked me what I dreamed of.",
            "attribution": "Asha (name changed)",
        }
        description = "A short quotation set apart from the text"


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=400)
    button_label = blocks.CharBlock(max_length=40)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, help_text="Used when no page is chosen.")

    class Meta:
        icon = "pick"
        template = "website/blocks/call_to_action.html"
        preview_value = {
            "heading": "Pray with us",
            "text": "Receive a short prayer update each week.",
            "button_label": "Subscribe",
            "url": "https://example.org/pray/",
        }
        description = "A heading, a sentence and a button"

    missing_target = "Choose a page or give a URL."

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("form") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={"page": ValidationError(self.missing_target)}
            )
        return value

    def target_url(self, value, request=None):
        """Where the button leads: the page while it is live, else the form, else the URL.

        "" when none is left (the page was unpublished or deleted): the card is then not shown.
        """
        page = value.get("page")
        if page is not None and page.live:
            url = page.get_url(request)
            if url:
                return url
        if value.get("form") in SITE_FORMS:
            return reverse(SITE_FORMS[value["form"]][1])
        return value.get("url") or ""

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["target_url"] = self.target_url(value, (parent_context or {}).get("request"))
        return context


# Forms of this site a call to action can lead to: no page holds them, so they are named here
# rather than typed in as URLs (which break when the site moves).
SITE_FORMS = {
    "prayer_updates": ("Prayer updates by email (the sign-up form)", "digests:subscribe"),
    "prayer_request": ("Send a prayer request (the form)", "prayer:submit_request"),
}


class WayInBlock(CallToActionBlock):
    """A call to action that can also lead to one of the site's forms: the home page's, the
    site's default ones (Settings → Calls to action), and the ways on the Pray page."""

    form = blocks.ChoiceBlock(
        choices=[(key, label) for key, (label, _) in SITE_FORMS.items()],
        required=False,
        help_text="Used when no page is chosen, instead of the URL.",
    )

    class Meta:
        preview_value = {
            "heading": "Pray with us",
            "text": "Receive a short prayer update each week.",
            "button_label": "Subscribe",
            "form": "prayer_updates",
        }

    missing_target = "Choose a page or a form, or give a URL."


class StoryBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul"],
        icon="pilcrow",
        template="website/blocks/paragraph.html",
    )
    image = ImageWithCaptionBlock()
    pull_quote = PullQuoteBlock()
    embed = EmbedBlock(
        help_text="A YouTube or Vimeo link, for example.",
        icon="media",
        template="website/blocks/embed.html",
    )
    call_to_action = CallToActionBlock()


class ProgrammeBlock(blocks.StructBlock):
    name = blocks.CharBlock(max_length=120)
    description = blocks.TextBlock(required=False, max_length=600)

    class Meta:
        icon = "list-ul"
        template = "website/blocks/programme.html"
        preview_value = {"name": "Tailoring", "description": "A six-month certified course."}


class ImpactFigureBlock(blocks.StructBlock):
    figure = blocks.CharBlock(max_length=20, help_text='For example "40" or "1,200".')
    label = blocks.CharBlock(max_length=80, help_text='For example "children served daily".')

    class Meta:
        icon = "order"
        template = "website/blocks/impact_figure.html"
        preview_value = {"figure": "40", "label": "children served daily"}
