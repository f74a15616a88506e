"""The community's periodic work (Huey): topic views and members' reading (posts read, days
of visit) counted in the cache are written every ten minutes; every night, validations past
their review date go back to the review queue."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from relais.community.models import Community
from relais.community.services import official_reviews_mark_due
from relais.community.services.forum import topic_views_flush
from relais.community.services.members import member_activity_flush


@db_periodic_task(crontab(minute="*/10"))
def topic_views_flush_task() -> int:
    return sum(topic_views_flush(community=community) for community in Community.objects.all())


@db_periodic_task(crontab(minute="*/10"))
def member_activity_flush_task() -> int:
    return sum(member_activity_flush(community=community) for community in Community.objects.all())


@db_periodic_task(crontab(hour="2", minute="41"))
def official_reviews_task() -> int:
    return sum(
        official_reviews_mark_due(community=community) for community in Community.objects.all()
    )


@db_periodic_task(crontab(minute="*/10"))
def search_empty_flush_task() -> int:
    from relais.community.services.searchlog import search_empty_flush

    return sum(search_empty_flush(community=community) for community in Community.objects.all())


# Huey runs in UTC: 05:30 UTC is 06:30 in Paris in winter; weekly digests leave on Mondays.
@db_periodic_task(crontab(hour="5", minute="30"))
def community_digest_task() -> int:
    from relais.community.services.digest import digests_send

    return sum(digests_send(community=community) for community in Community.objects.all())
