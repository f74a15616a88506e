"""Members: joining a community (linked to the kernel's Person), visits, trust levels."""

import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.community.access import ensure
from relais.community.models import Community, MemberProfile
from relais.community.permissions import Event, Permission
from relais.community.services._common import profile_of, record_member_event
from relais.core.audit.services import audit_log
from relais.core.contacts.models import Person
from relais.core.contacts.services import person_create
from relais.core.exceptions import AccessDenied
from relais.core.interactions.models import Channel, Direction
from relais.core.interactions.services import record

TRUST_COUNTERS = (
    "days_visited",
    "posts_read",
    "read_minutes",
    "posts_count",
    "likes_given",
    "likes_received",
    "flags_agreed",
)
MAX_LEVEL_COMPUTED = 3


def _person_for(user, community: Community) -> Person:
    """The kernel Person of ``user`` in the community's workspace: the one with the same
    e-mail if the body already knows them (another module's contact), else a new one."""
    email = (user.email or "").strip()
    if email:
        existing = (
            Person.objects.filter(workspace=community.workspace, email__iexact=email)
            .order_by("id")
            .first()
        )
        if existing is not None:
            return existing
    return person_create(
        actor=None,
        workspace=community.workspace,
        consent_source="community.member.join",
        first_name=user.first_name[:100],
        last_name=(user.last_name or user.username)[:100],
        email=email,
    )


def _charter_hash(community: Community) -> str:
    from relais.community.services.signup import charter_hash

    return charter_hash(community)


@transaction.atomic
def member_join(
    *,
    user,
    community: Community,
    display_name: str,
    branch: str = "",
    accept_charter: bool = False,
) -> MemberProfile:
    """Make ``user`` a member of ``community``: a public display name (distinct from the legal
        name, which stays private), an artistic branch, the charter accepted (date and SHA-256 of its
    text), and the kernel Person
        the interactions of the member hang from. Recorded in the interaction log."""
    if user is None or not user.is_authenticated:
        raise ValidationError(_("Connectez-vous pour rejoindre la communauté."))
    display_name = " ".join((display_name or "").split())
    errors = {}
    if len(display_name) < 3:
        errors["display_name"] = _("Le nom affiché doit compter au moins 3 caractères.")
    elif display_name.casefold() == user.get_full_name().strip().casefold():
        errors["display_name"] = _(
            "Choisissez un nom affiché différent de votre nom civil : il sera public."
        )
    if not accept_charter:
        errors["accept_charter"] = _("Acceptez la charte de la communauté pour la rejoindre.")
    if errors:
        raise ValidationError(errors)
    if MemberProfile.objects.filter(community=community, user=user).exists():
        raise ValidationError(_("Vous êtes déjà membre de cette communauté."))
    profile = MemberProfile(
        community=community,
        user=user,
        person=_person_for(user, community),
        display_name=display_name,
        branch=branch,
        charter_accepted_at=timezone.now(),
        charter_version=_charter_hash(community),
    )
    profile.full_clean(exclude=["community", "user", "person"])
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:
        raise ValidationError(
            {"display_name": _("Ce nom affiché est déjà pris dans la communauté.")}
        ) from None
    record(
        workspace=community.workspace,
        event_code=Event.MEMBER_JOINED,
        channel=Channel.FORUM,
        direction=Direction.INBOUND,
        topic=_("Inscription à %(community)s") % {"community": community.name},
        person=profile.person,
        source=profile,
    )
    return profile


@transaction.atomic
def member_visit(*, profile: MemberProfile, today: datetime.date | None = None) -> MemberProfile:
    """Count a day of visit (once per calendar day), then recompute the trust level.

    Called from a POST (the page's "I am here" beacon or sign-in), never from a GET."""
    today = today or timezone.localdate()
    profile = MemberProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.last_visit_on != today:
        profile.days_visited += 1
        profile.last_visit_on = today
        profile.save(update_fields=["days_visited", "last_visit_on", "updated_at"])
    return trust_level_update(profile=profile)


def trust_level_compute(profile: MemberProfile, thresholds: dict[int, dict] | None = None) -> int:
    """The level ``profile``'s counters earn: the highest level (up to 3) whose every minimum
    is met and whose ``max_flags_received`` is not exceeded, levels earned in order (a level
    needs the one below). Level 4 is only ever granted by hand (``trust_level_lock``).

    Demotion follows from the same rule: upheld flags against the member's posts
    (``flags_received``) beyond a level's maximum take that level away.
    """
    thresholds = thresholds if thresholds is not None else profile.community.thresholds()
    level = 0
    for candidate in sorted(thresholds):
        if candidate > MAX_LEVEL_COMPUTED:
            break
        rule = thresholds[candidate]
        if any(getattr(profile, name) < rule.get(name, 0) for name in TRUST_COUNTERS):
            break
        if profile.flags_received > rule.get("max_flags_received", 10**9):
            break
        level = candidate
    return level


def trust_level_update(*, profile: MemberProfile) -> MemberProfile:
    """Store the computed level (unless locked by hand); a change is logged as a touchpoint
    with outcome ``promoted`` or ``demoted`` and audited."""
    if profile.trust_level_locked:
        return profile
    level = trust_level_compute(profile)
    if level == profile.trust_level:
        return profile
    before = profile.trust_level
    MemberProfile.objects.filter(pk=profile.pk).update(trust_level=level, updated_at=timezone.now())
    profile.trust_level = level
    audit_log(
        actor=None,
        action="community.trust.change",
        target=profile,
        before={"trust_level": before},
        after={"trust_level": level},
        workspace=profile.community.workspace,
    )
    record_member_event(
        profile=profile,
        event_code=Event.TRUST_CHANGED,
        direction=Direction.INTERNAL,
        topic=_("Niveau de confiance : %(before)s → %(after)s")
        % {"before": before, "after": level},
        outcome="promoted" if level > before else "demoted",
        source=profile,
    )
    return profile


@transaction.atomic
def trust_level_lock(
    *, user, profile: MemberProfile, level: int | None, reason: str
) -> MemberProfile:
    """Set a member's level by hand (``level`` 0–4, kept until unlocked) or unlock it
    (``level=None``: computed again). Administrators only; audited with the reason."""
    ensure(user, Permission.MANAGE, profile.community)
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif.")})
    if level is not None and not 0 <= level <= 4:
        raise ValidationError({"level": _("Le niveau va de 0 à 4.")})
    profile = MemberProfile.objects.select_for_update().get(pk=profile.pk)
    before = {"trust_level": profile.trust_level, "locked": profile.trust_level_locked}
    profile.trust_level_locked = level is not None
    if level is not None:
        profile.trust_level = level
    profile.save(update_fields=["trust_level", "trust_level_locked", "updated_at"])
    audit_log(
        actor=user,
        action="community.trust.lock",
        target=profile,
        before=before,
        after={
            "trust_level": profile.trust_level,
            "locked": profile.trust_level_locked,
            "reason": reason.strip(),
        },
        workspace=profile.community.workspace,
    )
    return trust_level_update(profile=profile)


_READS_KEY = "community:reads:{pk}"
_VISIT_KEY = "community:visit:{pk}"
_SECONDS_KEY = "community:reading:{pk}"
_BEACON_KEY = "community:reading-beacon:{pk}"
# The most one beacon credits: the page sends one every 30 seconds while it is visible, and
# once when it is hidden.
READING_BEACON_MAX_SECONDS = 60


def member_activity_note(*, profile: MemberProfile, posts_read: int) -> None:
    """Note that the member read ``posts_read`` posts today, without writing to the database
    (reading is a GET): the counts wait in the shared cache for ``member_activity_flush``."""
    key = _READS_KEY.format(pk=profile.pk)
    try:
        cache.incr(key, posts_read)
    except ValueError:
        cache.set(key, posts_read, timeout=None)
    cache.set(_VISIT_KEY.format(pk=profile.pk), timezone.localdate().isoformat(), timeout=None)


def member_reading_note(*, user, community: Community, seconds) -> int:
    """Credit ``user``, a member of ``community``, with ``seconds`` of reading noted by a
    topic page's beacon (a POST) and return what was credited. Visitors, non-members and
    deleted accounts have no reading time (``AccessDenied``); ``seconds`` that are not a whole
    number are refused (``ValidationError``). Never more than ``READING_BEACON_MAX_SECONDS`` a beacon nor
    than the time since the member's previous beacon: a forged or replayed beacon cannot earn
    more than the clock, so reading time cannot be bought by posting huge values. Like the reads,
    the seconds wait in the shared cache for ``member_activity_flush``."""
    profile = profile_of(user, community)
    if profile is None or profile.deleted_at is not None:
        raise AccessDenied(_("Seuls les membres de la communauté ont un temps de lecture."))
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        raise ValidationError(
            _("Le temps de lecture doit être un nombre entier de secondes.")
        ) from None
    now = timezone.now().timestamp()
    beacon_key = _BEACON_KEY.format(pk=profile.pk)
    previous = cache.get(beacon_key)
    allowed = READING_BEACON_MAX_SECONDS
    if previous is not None:
        allowed = min(allowed, max(0, int(now - previous)))
    credited = max(0, min(seconds, allowed))
    # The clock restarts at every beacon, credited or not: beacons sent in a burst share one
    # interval. An hour without a beacon forgets the member (the next one starts afresh).
    cache.set(beacon_key, now, timeout=3600)
    if credited:
        key = _SECONDS_KEY.format(pk=profile.pk)
        try:
            cache.incr(key, credited)
        except ValueError:
            cache.set(key, credited, timeout=None)
    return credited


@transaction.atomic
def member_activity_flush(*, community: Community, batch: int = 1000) -> int:
    """Write the reads, reading seconds and visit days noted in the cache to the members' counters (a periodic
    job), then recompute the trust level of each member who changed. Returns how many."""
    changed = 0
    pks = list(MemberProfile.objects.filter(community=community).values_list("pk", flat=True))
    for start in range(0, len(pks), batch):
        chunk = pks[start : start + batch]
        keys = [key.format(pk=pk) for pk in chunk for key in (_READS_KEY, _VISIT_KEY, _SECONDS_KEY)]
        noted = cache.get_many(keys)
        for pk in chunk:
            reads = noted.get(_READS_KEY.format(pk=pk)) or 0
            visit = noted.get(_VISIT_KEY.format(pk=pk))
            seconds = noted.get(_SECONDS_KEY.format(pk=pk)) or 0
            if not reads and not visit and not seconds:
                continue
            profile = MemberProfile.objects.select_for_update().get(pk=pk)
            if reads:
                cache.decr(_READS_KEY.format(pk=pk), reads)
                profile.posts_read += reads
            if seconds:
                cache.decr(_SECONDS_KEY.format(pk=pk), seconds)
                profile.reading_seconds += seconds
            if visit:
                day = datetime.date.fromisoformat(visit)
                if profile.last_visit_on is None or day > profile.last_visit_on:
                    profile.days_visited += 1
                    profile.last_visit_on = day
            profile.save(
                update_fields=[
                    "posts_read",
                    "reading_seconds",
                    "days_visited",
                    "last_visit_on",
                    "updated_at",
                ]
            )
            trust_level_update(profile=profile)
            changed += 1
    return changed
