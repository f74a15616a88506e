"""The e-mail digest of what happened in the topics and categories a member watches.

A member chooses it on their profile (daily or weekly; never by default: choosing it is their
consent) and leaves it from a link in every digest, without signing in. It is also held back
when the member said « no e-mail » to the kernel's notifications, when their address is not
verified, or when their account is suspended, banned or deleted. A digest lists only what
the member may still read, never their own posts, and nothing is sent when nothing is new."""

import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.community.access import readable_categories_filter
from relais.community.models import MemberProfile, Post, Subscription
from relais.community.seo import topic_path
from relais.core.audit.services import audit_log
from relais.core.notifications.models import EmailFrequency
from relais.core.notifications.selectors import notification_preference_get

DAILY, WEEKLY, NEVER = "daily", "weekly", "never"
PERIODS = {DAILY: datetime.timedelta(days=1), WEEKLY: datetime.timedelta(days=7)}
UNSUBSCRIBE_SALT = "community.digest.unsubscribe"
ITEMS_MAX = 50


def unsubscribe_token(profile: MemberProfile) -> str:
    return signing.dumps(str(profile.public_id), salt=UNSUBSCRIBE_SALT)


def profile_for_unsubscribe_token(token: str) -> MemberProfile:
    """The member a digest's unsubscribe link names; a forged or damaged link is refused."""
    try:
        public_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise ValidationError(_("Ce lien de désinscription n'est pas valide.")) from None
    profile = MemberProfile.objects.filter(public_id=public_id).first()
    if profile is None:
        raise ValidationError(_("Ce lien de désinscription n'est pas valide."))
    return profile


@transaction.atomic
def digest_frequency_set(*, profile: MemberProfile, frequency: str, actor=None, source: str):
    """Record the member's choice (``daily``, ``weekly`` or ``never``), audited with where it
    came from (``profile``, ``unsubscribe-link``)."""
    if frequency not in (DAILY, WEEKLY, NEVER):
        raise ValidationError({"digest_frequency": _("Choisissez une fréquence de la liste.")})
    before = profile.digest_frequency
    if before == frequency:
        return profile
    profile.digest_frequency = frequency
    profile.save(update_fields=["digest_frequency", "updated_at"])
    audit_log(
        actor=actor,
        action="community.digest.frequency",
        target=profile,
        before={"digest_frequency": before},
        after={"digest_frequency": frequency, "source": source},
        workspace=profile.community.workspace,
    )
    return profile


def _may_receive(profile: MemberProfile, now) -> bool:
    user = profile.user
    if not user.is_active or not user.email or profile.email_pending or profile.deleted_at:
        return False
    if notification_preference_get(user=user).email_frequency == EmailFrequency.NEVER:
        return False
    from relais.community.models import Sanction
    from relais.community.services.sanctions import active_sanctions

    barred = active_sanctions(profile=profile, now=now).filter(
        kind__in=[Sanction.Kind.SUSPEND, Sanction.Kind.BAN]
    )
    return not barred.exists()


def digest_items(*, profile: MemberProfile, since, until) -> list[Post]:
    """The visible posts of the period in the member's watched topics (replies) and
    categories (new topics) that they may still read, oldest first, not their own."""
    user, community = profile.user, profile.community
    watched = Subscription.objects.filter(user=user, community=community)
    topics = watched.exclude(topic=None).values("topic_id")
    categories = watched.exclude(category=None).values("category_id")
    return list(
        Post.objects.filter(
            topic__community=community,
            created_at__gt=since,
            created_at__lte=until,
            is_deleted=False,
            hidden="",
            topic__is_deleted=False,
            topic__is_held=False,
        )
        .filter(readable_categories_filter(user, community, prefix="topic__category__"))
        .filter(
            Q(position__gt=0, topic_id__in=topics)
            | Q(position=0, topic__category_id__in=categories)
        )
        .exclude(author_id=user.pk)
        .select_related("topic__category")
        .order_by("created_at", "id")[:ITEMS_MAX]
    )


def _due(profile: MemberProfile, now) -> bool:
    if profile.digest_frequency == WEEKLY and now.weekday() != 0:
        return False  # weekly digests leave on Mondays
    period = PERIODS.get(profile.digest_frequency)
    if period is None:
        return False
    # A little slack: a task that ran at 06:00 yesterday and 05:59 today is still daily.
    return (
        profile.digest_sent_at is None
        or profile.digest_sent_at <= now - period + datetime.timedelta(hours=1)
    )


def digest_send(*, profile: MemberProfile, now=None) -> bool:
    """Send ``profile`` their digest if one is due and something is new; returns whether an
    e-mail left. The period starts at the previous digest (or one period back)."""
    now = now or timezone.now()
    if not _due(profile, now) or not _may_receive(profile, now):
        return False
    period = PERIODS[profile.digest_frequency]
    since = max(profile.digest_sent_at or now - period, now - period)
    items = digest_items(profile=profile, since=since, until=now)
    MemberProfile.objects.filter(pk=profile.pk).update(digest_sent_at=now)
    if not items:
        return False
    site = settings.RELAIS_SITE_URL.rstrip("/")
    unsubscribe = site + reverse(
        "community:digest-unsubscribe",
        kwargs={"unsubscribe_token": unsubscribe_token(profile)},
    )
    count = len(items)
    subject = ngettext(
        "%(community)s : %(count)d nouveauté dans les sujets que vous suivez",
        "%(community)s : %(count)d nouveautés dans les sujets que vous suivez",
        count,
    ) % {"community": profile.community.name, "count": count}
    body = render_to_string(
        "community/email/digest.txt",
        {
            "profile": profile,
            "community": profile.community,
            "weekly": profile.digest_frequency == WEEKLY,
            "items": [
                (post, f"{site}{topic_path(post.topic)}#message-{post.public_id}") for post in items
            ],
            "profile_link": site + reverse("community:profile"),
            "unsubscribe_link": unsubscribe,
        },
    )
    EmailMessage(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        to=[profile.user.email],
        headers={
            # One-click unsubscribe (RFC 8058) for the mail clients that offer it.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()
    return True


def digests_send(*, community, now=None) -> int:
    """Send every due digest of ``community`` (the periodic task); returns how many left."""
    now = now or timezone.now()
    profiles = (
        MemberProfile.objects.filter(community=community, digest_frequency__in=[DAILY, WEEKLY])
        .select_related("user", "community")
        .order_by("id")
    )
    return sum(digest_send(profile=profile, now=now) for profile in profiles)
