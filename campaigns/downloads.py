"""Which church opened which resource of its kit, and when it first did.

Mail scanners (Safe Links, gateways, antivirus) open every link of a message, often more than
once, and a church opens a resource again whenever it needs it: a count of GETs says little.
What means something to a campaign team is whether a church opened a resource, and when
first. So each (registration, resource) pair has one row, written at the first opening and
never again; the redirect to the resource still answers every GET.
"""

from campaigns.models import ResourceDownload


def record_download(registration, resource):
    """Note that `registration` opened `resource`: the first time only, concurrent GETs
    included (the unique pair decides; the first time stays as it was)."""
    ResourceDownload.objects.get_or_create(registration=registration, resource=resource)


def merge_downloads(keep, other):
    """Move `other`'s openings onto `keep`; where both opened a resource, the earlier first
    time stays. The caller holds both registrations locked."""
    first_at = dict(
        ResourceDownload.objects.filter(registration=keep).values_list("resource_id", "first_at")
    )
    for row in ResourceDownload.objects.filter(registration=other):
        if row.resource_id not in first_at:
            row.registration = keep
            row.save(update_fields=["registration"])
            continue
        if row.first_at < first_at[row.resource_id]:
            ResourceDownload.objects.filter(registration=keep, resource=row.resource_id).update(
                first_at=row.first_at
            )
        row.delete()
