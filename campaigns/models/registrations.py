"""Church registrations for a campaign, their contacts, and the resources they downloaded.

One church registers once per campaign: `match_key` (normalised name, city and country,
see campaigns.matching) is unique per campaign, and so is each contact's email address.
Both are enforced by the database, so two simultaneous registrations cannot both win.
"""

from django.contrib.admin.decorators import display
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField


class Participation(models.TextChoices):
    PREACH = "preach", "Preach"
    PRAY = "pray", "Pray"
    GIVE = "give", "Give"
    SCREENING = "screening", "Host a screening"


PARTICIPATION_FIELDS = {
    Participation.PREACH: "will_preach",
    Participation.PRAY: "will_pray",
    Participation.GIVE: "will_give",
    Participation.SCREENING: "will_host_screening",
}


class ChurchRegistrationQuerySet(models.QuerySet):
    def listed(self):
        return self.filter(listed_publicly=True)


class ChurchRegistration(models.Model):
    campaign = models.ForeignKey(
        "campaigns.CampaignPage", on_delete=models.CASCADE, related_name="registrations"
    )
    church_name = models.CharField(max_length=200)
    denomination = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField("region or state", max_length=100, blank=True)
    country = CountryField()
    match_key = models.CharField(max_length=320, editable=False)
    expected_attendance = models.PositiveIntegerField()
    will_preach = models.BooleanField("preach", default=False)
    will_pray = models.BooleanField("pray", default=False)
    will_give = models.BooleanField("give", default=False)
    will_host_screening = models.BooleanField("host a screening", default=False)
    listed_publicly = models.BooleanField(
        "may be listed publicly",
        default=False,
        help_text="Name, city and country shown on the campaign page.",
    )
    link_version = models.PositiveIntegerField(
        default=0, help_text="Raised to revoke every link sent so far for this registration."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    reduced_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when retention reduced it to the church's name, city and country.",
    )

    objects = ChurchRegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "church registration"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "match_key"], name="one_registration_per_church_and_campaign"
            )
        ]
        indexes = [models.Index(fields=["campaign", "country"])]

    def __str__(self):
        return f"{self.church_name}, {self.city}"

    @property
    def participation(self):
        return [choice for choice, field in PARTICIPATION_FIELDS.items() if getattr(self, field)]

    @display(description="Taking part")
    def participation_display(self):
        return ", ".join(Participation(choice).label for choice in self.participation)

    def set_participation(self, choices):
        for choice, field in PARTICIPATION_FIELDS.items():
            setattr(self, field, choice in choices)


class RegistrationContact(models.Model):
    """A person at the church the campaign team writes to. The first one registered.

    Their name, role and phone were typed by whoever filled the form (the person, or a
    colleague adding them), for an address nobody has proven yet: until its owner follows the
    emailed confirmation link (`address_confirmed_at`), coordinators see them marked
    unconfirmed, and so does the owner's data.
    """

    registration = models.ForeignKey(
        ChurchRegistration, on_delete=models.CASCADE, related_name="contacts"
    )
    # Copied from the registration so the database can keep one address per campaign.
    campaign = models.ForeignKey(
        "campaigns.CampaignPage", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254)
    phone = PhoneNumberField(max_length=32, blank=True, help_text="International format.")
    consents_to_updates = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    link_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    address_confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the owner of the address confirmed these details by the emailed link. "
        "Empty: typed by whoever filled the form, unconfirmed.",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "contact"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "email"], name="one_contact_address_per_campaign"
            )
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def receives_updates(self):
        return self.consents_to_updates and self.unsubscribed_at is None

    @property
    def is_confirmed(self):
        return self.address_confirmed_at is not None

    def marked(self, value):
        """`value` as coordinators see it: flagged while its address is unconfirmed."""
        return str(value) if self.is_confirmed or not value else f"{value} (unconfirmed)"


class ResourceDownload(models.Model):
    """One registration opened one resource of its kit through its tracked link: one row per
    pair, with the time of the first opening. Opening it again, or a mail scanner following the
    link, adds nothing (campaigns.downloads)."""

    registration = models.ForeignKey(
        ChurchRegistration, on_delete=models.CASCADE, related_name="downloads"
    )
    resource = models.ForeignKey(
        "campaigns.CampaignResource", on_delete=models.CASCADE, related_name="downloads"
    )
    first_at = models.DateTimeField("first opened", default=timezone.now)

    class Meta:
        verbose_name = "resource download"
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "resource"], name="one_download_row_per_resource"
            )
        ]

    def __str__(self):
        return f"{self.registration_id} → {self.resource_id}"
