from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    name = "website"
    verbose_name = "Website"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published

        from core import media, schedules
        from website.account import attach  # noqa: F401  (attaches records on verification)

        # Consent: a photo's visibility follows its records, and its files leave on the commit
        # that ends its consent; a story published while its consent has ended goes straight
        # back off the site (website/consent/).
        from website.consent.images import forget_hidden_images, hidden_image_ids
        from website.consent.takedown import take_down_if_consent_ended, take_down_photo_on_commit
        from website.models import ConsentRecord, EditorialConsent, PrayerRequestConsent

        # Signals name the class saved, so the proxies the back office saves are listed too.
        for model in (ConsentRecord, EditorialConsent, PrayerRequestConsent):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_hidden_images,
                    sender=model,
                    dispatch_uid=f"consent-images-{model.__name__}-{signal}",
                )
                signal.connect(
                    take_down_photo_on_commit,
                    sender=model,
                    dispatch_uid=f"consent-photo-files-{model.__name__}-{signal}",
                )
        page_published.connect(take_down_if_consent_ended, dispatch_uid="consent-take-down")
        media.register_hidden_images(hidden_image_ids)
        schedules.register(
            "take-down-ended-consent", "website.consent.tasks.take_down_ended_consent", 15
        )
