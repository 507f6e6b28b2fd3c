"""The public prayer request form."""

from django import forms
from django.utils.text import Truncator

from core.formguard import GuardedForm
from prayer.models import PrayerRequest, Topic

TEXT_MAX_LENGTH = 2000
TITLE_MAX_LENGTH = 150
TITLE_FROM_TEXT_WORDS = 12


def title_from_text(text):
    """A short title from the request's opening words."""
    first_line = " ".join(text.split())
    return Truncator(first_line).words(TITLE_FROM_TEXT_WORDS, truncate="…")[:TITLE_MAX_LENGTH]


def clean_plain(value):
    """Collapse control characters: stored text is plain and escaped on output."""
    return "".join(ch for ch in value if ch in "\n\t" or ch.isprintable()).strip()


class PrayerRequestForm(GuardedForm, forms.Form):
    text = forms.CharField(
        label="Your prayer request",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            f"Up to {TEXT_MAX_LENGTH:,} characters. Please don't include full names, exact places "
            "(addresses, the name of a home or a street) or phone numbers: they put people at risk."
        ),
        error_messages={
            "required": "Please write your prayer request.",
            "max_length": f"Please keep your request to {TEXT_MAX_LENGTH:,} characters or fewer.",
        },
    )
    title = forms.CharField(
        label="A short title (optional)",
        max_length=TITLE_MAX_LENGTH,
        required=False,
        help_text="If you leave it empty we use the first words of your request.",
        error_messages={
            "max_length": f"Please keep the title to {TITLE_MAX_LENGTH} characters or fewer."
        },
    )
    topic = forms.ModelChoiceField(
        label="Topic",
        queryset=Topic.objects.all(),
        required=False,
        empty_label="Choose a topic (optional)",
        to_field_name="slug",
        error_messages={"invalid_choice": "Please choose a topic from the list."},
    )
    wants_reply = forms.BooleanField(
        label="I'd like a reply",
        required=False,
        help_text="Then we need your name and email address.",
    )
    name = forms.CharField(
        label="Your first name (optional)",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"max_length": "Please keep your name to 100 characters or fewer."},
    )
    email = forms.EmailField(
        label="Your email address (optional)",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send you a short acknowledgement, and a reply if you ask for one. "
        "It is never shown on the site.",
        error_messages={
            "invalid": "Please enter an email address like name@example.org.",
            "max_length": "Please enter a shorter email address.",
        },
    )
    consent_to_publish = forms.BooleanField(
        label="You may publish my request on the prayer wall after editing it",
        required=True,
        help_text="Our moderators read every request first. They may shorten it and remove "
        "anything that could identify someone before it appears on the wall. Nothing is "
        "published without this consent.",
        error_messages={
            "required": "Please tick this box so we can share your request on the prayer wall."
        },
    )

    def clean_text(self):
        text = clean_plain(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError("Please write your prayer request.")
        return text

    def clean_title(self):
        return " ".join(clean_plain(self.cleaned_data["title"]).split())

    def clean_name(self):
        return " ".join(clean_plain(self.cleaned_data["name"]).split())

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("wants_reply"):
            if not cleaned.get("name") and "name" not in self.errors:
                self.add_error("name", "Please tell us your name so we can reply.")
            if not cleaned.get("email") and "email" not in self.errors:
                self.add_error("email", "Please give an email address so we can reply.")
        return cleaned

    def save(self):
        data = self.cleaned_data
        prayer_request = PrayerRequest.objects.create(
            title=data["title"] or title_from_text(data["text"]),
            public_text=data["text"],
            submitter_name=data["name"],
            submitter_email=data["email"],
            wants_reply=data["wants_reply"],
            consent_to_publish=data["consent_to_publish"],
            from_public_form=True,
            status=PrayerRequest.Status.SUBMITTED,
        )
        if data.get("topic"):
            prayer_request.topics.add(data["topic"])
        return prayer_request
