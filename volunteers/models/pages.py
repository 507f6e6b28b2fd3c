"""The public pages: a volunteer index and the opportunities under it.

An opportunity's exact address is a restricted field: it is not indexed for search, no public
template receives it, and it reaches a volunteer only through `volunteers.access`.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core import page_cache
from core.kept_parts import KeptParts
from core.page_cache import CachedPage
from core.page_privacy import RestrictionsFromRequest
from website.blocks import StoryBodyBlock
from website.models.pages import SocialMetaMixin
from website.models.querysets import PublicPageManager


class Skill(models.Model):
    """A snippet: its back office is volunteers/wagtail_hooks.py."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class VolunteerIndexPage(KeptParts, CachedPage, RestrictionsFromRequest, SocialMetaMixin, Page):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ("volunteers",)

    intro = models.TextField(max_length=500, blank=True)
    body = StreamField(StoryBodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["website.HomePage"]
    subpage_types = ["volunteers.OpportunityPage"]
    max_count = 1
    template = "volunteers/volunteer_index_page.html"

    class Meta:
        verbose_name = "volunteer index page"

    def get_context(self, request, *args, **kwargs):
        from volunteers.listing import opportunity_listing

        context = super().get_context(request, *args, **kwargs)
        listing = opportunity_listing(self, request.GET)
        context.update(listing)
        day = listing["active_date"]
        page_cache.declare(
            request,
            params=("centre", "skill", "date", "open"),
            canonical=not listing["filter_notes"]
            and page_cache.given_as_is(request, "open", "1")
            and (day is None or page_cache.given_as_is(request, "date", day.isoformat())),
        )
        return context


class OpportunityPage(CachedPage, RestrictionsFromRequest, SocialMetaMixin, Page):
    # Kept for anonymous visitors while these areas are unchanged (core/page_cache.py).
    cache_areas = ("volunteers",)

    role = models.CharField(max_length=120, help_text="What the volunteer does, e.g. “Teacher”.")
    ministry = models.ForeignKey(
        "website.MinistryPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The centre or programme this opportunity serves.",
    )
    intro = models.TextField(max_length=500, blank=True)
    description = StreamField(StoryBodyBlock(), blank=True)
    skills = ParentalManyToManyField(Skill, blank=True, related_name="opportunities")
    languages = models.CharField(max_length=200, blank=True, help_text="e.g. “Bengali, English”.")
    minimum_age = models.PositiveSmallIntegerField(default=18, validators=[MaxValueValidator(99)])
    requires_safeguarding_check = models.BooleanField(
        default=False,
        help_text="Sign-ups wait as “pending clearance” until a coordinator verifies a check.",
    )
    requires_training = models.BooleanField(default=False)
    requires_code_of_conduct = models.BooleanField(default=True)
    requirements_notes = models.TextField(max_length=1000, blank=True)
    eligibility_notes = models.CharField(
        max_length=300, blank=True, help_text="e.g. “Women only: the home is for women.”"
    )
    area = models.CharField(
        max_length=120,
        help_text="Public: the area or neighbourhood only, never a street or a safe-house address.",
    )
    exact_address = models.TextField(
        max_length=500,
        blank=True,
        help_text="Restricted: shown only to confirmed (and, where required, cleared) volunteers.",
    )

    objects = PublicPageManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("role"),
        FieldPanel("ministry"),
        FieldPanel("intro"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("skills"), FieldPanel("languages"), FieldPanel("minimum_age")],
            heading="Who we are looking for",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("requires_safeguarding_check"),
                        FieldPanel("requires_training"),
                        FieldPanel("requires_code_of_conduct"),
                    ]
                ),
                FieldPanel("requirements_notes"),
                FieldPanel("eligibility_notes"),
            ],
            heading="Requirements",
        ),
        MultiFieldPanel([FieldPanel("area"), FieldPanel("exact_address")], heading="Location"),
    ]
    # Never `exact_address`: the search index feeds a public page.
    search_fields = [
        *Page.search_fields,
        index.SearchField("role"),
        index.SearchField("intro"),
        index.SearchField("description"),
        index.SearchField("area"),
        index.FilterField("requires_safeguarding_check"),
    ]
    parent_page_types = ["volunteers.VolunteerIndexPage"]
    subpage_types: list[str] = []
    template = "volunteers/opportunity_page.html"

    class Meta:
        verbose_name = "volunteer opportunity"

    def bookable_shifts(self):
        from volunteers.models import Shift

        return Shift.objects.bookable().filter(opportunity=self).order_by("starts_at")

    def get_context(self, request, *args, **kwargs):
        from volunteers.access import exact_address_for_user
        from volunteers.signups import signups_of_user

        context = super().get_context(request, *args, **kwargs)
        shifts = list(self.bookable_shifts())
        context["shifts"] = shifts
        mine = signups_of_user(request.user, shifts)
        for shift in shifts:
            shift.my_signup = mine.get(shift.pk)
        context["exact_address"] = exact_address_for_user(request.user, self)
        context["skill_list"] = list(self.skills.all())
        return context
