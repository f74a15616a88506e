"""Sanctions on members: silence (read-only), suspension (no login) and ban (no login, the
address refused at sign-up), with durations that escalate for repeat offences.

Each measure and each lifting is audited (the moderation log), logged on the member's
interaction history, and told to the member — in-app notification and e-mail — with what
happened, why and until when.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from relais.community.access import can, ensure
from relais.community.models import Community, MemberProfile, Sanction
from relais.community.permissions import Permission
from relais.community.services._common import record_member_event
from relais.community.services.member_events import MemberEvent
from relais.core.audit.services import audit_log
from relais.core.interactions.models import Channel, Direction
from relais.core.interactions.services import record
from relais.core.notifications.services import notify

NOTIFICATION_CATEGORY = "community.sanction"
KIND_EVENTS = {
    Sanction.Kind.SILENCE: MemberEvent.SILENCED,
    Sanction.Kind.SUSPEND: MemberEvent.SUSPENDED,
    Sanction.Kind.BAN: MemberEvent.BANNED,
}
# The sanction that lasts longest first (a permanent one before any other).
LONGEST_FIRST = F("ends_at").desc(nulls_first=True)
# Kinds that keep the member from signing in.
NO_LOGIN = (Sanction.Kind.SUSPEND, Sanction.Kind.BAN)


def _active(now=None) -> Q:
    now = now or timezone.now()
    return Q(lifted_at__isnull=True, starts_at__lte=now) & (
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def active_sanctions(*, profile: MemberProfile, now=None):
    return Sanction.objects.filter(_active(now), profile=profile)


def sanction_steps(community: Community) -> list[int | None]:
    from relais.community.services.signup import member_settings

    return member_settings(community).steps()


def next_step(profile: MemberProfile) -> int:
    """The rank of the member's next sanction: one more than those not lifted as mistaken
    (a lifted sanction whose reason the moderator flagged as an error does not count)."""
    return (
        Sanction.objects.filter(profile=profile).exclude(lift_reason__startswith="[erreur]").count()
        + 1
    )


def escalated_days(community: Community, step: int) -> int | None:
    """Days of the ``step``-th sanction (``None``: permanent); past the list, its last."""
    steps = sanction_steps(community)
    return steps[min(step, len(steps)) - 1] if steps else None


def until_text(sanction: Sanction) -> str:
    if sanction.ends_at is None:
        return _("sans limite de durée")
    moment = timezone.localtime(sanction.ends_at)
    return _("jusqu'au %(date)s") % {"date": formats.date_format(moment, "j F Y à H:i")}


def _tell(sanction: Sanction, *, title: str, template: str, extra: dict | None = None) -> None:
    """Notify the member in the app and by e-mail (always, whatever their preferences: a
    measure taken on their account is not a newsletter)."""
    user = sanction.user
    if user is None:
        return
    community = sanction.community
    context = {
        "sanction": sanction,
        "community": community,
        "until": until_text(sanction),
        "site_url": settings.RELAIS_SITE_URL.rstrip("/"),
        **(extra or {}),
    }
    body = render_to_string(template, context)
    notify(
        recipient=user,
        title=title,
        body=body,
        url=reverse("community:profile"),
        category=NOTIFICATION_CATEGORY,
        workspace=community.workspace,
    )
    if user.email:
        email = user.email
        transaction.on_commit(
            lambda: send_mail(
                subject=f"{settings.EMAIL_SUBJECT_PREFIX}{title}",
                message=body,
                from_email=None,
                recipient_list=[email],
            )
        )


def sessions_end(user) -> int:
    """Sign ``user`` out everywhere (their open sessions are deleted)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def sanction_apply(
    *,
    user,
    profile: MemberProfile,
    kind: str,
    reason: str,
    days: int | None | str = "auto",
    now: datetime.datetime | None = None,
) -> Sanction:
    """Silence, suspend or ban the member ``profile`` (moderators).

    ``days="auto"`` takes the escalation: the member's n-th sanction lasts the community's
    n-th step (by default 1, 7, 30 days, then permanent); an explicit number of days or
    ``None`` (permanent) overrides it. The reason is required and told to the member. The
    organisation's moderators and staff cannot be sanctioned here.
    """
    community = profile.community
    ensure(user, Permission.MODERATE, community)
    now = now or timezone.now()
    reason = (reason or "").strip()
    errors = {}
    if kind not in Sanction.Kind.values:
        errors["kind"] = _("Choisissez une mesure de la liste.")
    if not reason:
        errors["reason"] = _("Indiquez le motif : il sera communiqué au membre.")
    if days not in ("auto", None) and (not isinstance(days, int) or days < 1 or days > 3650):
        errors["days"] = _("La durée va de 1 à 3 650 jours.")
    if errors:
        raise ValidationError(errors)
    if profile.user_id == user.pk:
        raise ValidationError(_("Vous ne pouvez pas vous sanctionner vous-même."))
    if profile.deleted_at is not None:
        raise ValidationError(_("Ce compte a été supprimé."))
    if can(profile.user, Permission.MODERATE, community):
        raise ValidationError(
            _("Ce compte appartient à la modération ou à l'équipe : retirez d'abord son rôle.")
        )
    step = next_step(profile)
    if days == "auto":
        days = escalated_days(community, step)
    sanction = Sanction.objects.create(
        community=community,
        profile=profile,
        user=profile.user,
        email=profile.user.email.lower() if kind == Sanction.Kind.BAN else "",
        kind=kind,
        reason=reason[:500],
        step=step,
        starts_at=now,
        ends_at=None if days is None else now + datetime.timedelta(days=days),
        moderator=user,
    )
    audit_log(
        actor=user,
        action=f"community.member.{kind}",
        target=profile,
        after={
            "sanction": str(sanction.public_id),
            "kind": kind,
            "reason": sanction.reason,
            "step": step,
            "ends_at": sanction.ends_at,
        },
        workspace=community.workspace,
    )
    record_member_event(
        profile=profile,
        event_code=KIND_EVENTS[kind],
        topic=f"{sanction.get_kind_display()} ({until_text(sanction)})",
        summary=sanction.reason,
        actor=user,
        source=sanction,
    )
    if kind in NO_LOGIN:
        sessions_end(profile.user)
    _tell(
        sanction,
        title=_("%(kind)s — %(community)s")
        % {"kind": sanction.get_kind_display(), "community": community.name},
        template="community/email/sanction.txt",
    )
    return sanction


@transaction.atomic
def sanction_lift(*, user, sanction: Sanction, reason: str, mistaken: bool = False) -> Sanction:
    """End a sanction before its term (moderators), with a reason told to the member.
    ``mistaken``: it should never have been taken — it no longer counts in the escalation."""
    sanction = Sanction.objects.select_for_update().select_related("community").get(pk=sanction.pk)
    community = sanction.community
    ensure(user, Permission.MODERATE, community)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de la levée.")})
    if not sanction.is_active_at(timezone.now()):
        raise ValidationError(_("Cette sanction n'est plus en cours."))
    sanction.lifted_at = timezone.now()
    sanction.lifted_by = user
    sanction.lift_reason = (f"[erreur] {reason}" if mistaken else reason)[:500]
    sanction.save(update_fields=["lifted_at", "lifted_by", "lift_reason", "updated_at"])
    profile = sanction.profile
    audit_log(
        actor=user,
        action="community.member.sanction_lift",
        target=profile or sanction,
        before={"sanction": str(sanction.public_id), "kind": sanction.kind},
        after={"lifted_at": sanction.lifted_at, "reason": sanction.lift_reason},
        workspace=community.workspace,
    )
    record(
        workspace=community.workspace,
        event_code=MemberEvent.SANCTION_LIFTED,
        channel=Channel.FORUM,
        direction=Direction.OUTBOUND,
        topic=_("Levée : %(kind)s") % {"kind": sanction.get_kind_display()},
        summary=reason,
        person=profile.person if profile else None,
        visitor_key=""
        if profile is not None and profile.person_id
        else f"community-member:{sanction.profile_id or 0}",
        actor=user,
        source=sanction,
    )
    _tell(
        sanction,
        title=_("Sanction levée — %(community)s") % {"community": community.name},
        template="community/email/sanction_lifted.txt",
        extra={"lift_reason": reason},
    )
    return sanction


def posting_refusal(profile: MemberProfile, now=None) -> str:
    """Why ``profile`` may not post now (French), or ``""``."""
    if profile.deleted_at is not None:
        return _("Ce compte a été supprimé.")
    current = active_sanctions(profile=profile, now=now).order_by(LONGEST_FIRST).first()
    if current is not None:
        if current.kind == Sanction.Kind.SILENCE:
            return _("Votre compte est en lecture seule (%(until)s) : %(reason)s") % {
                "until": until_text(current),
                "reason": current.reason,
            }
        return _("Votre compte est suspendu (%(until)s) : %(reason)s") % {
            "until": until_text(current),
            "reason": current.reason,
        }
    if profile.email_pending:
        return _(
            "Confirmez d'abord votre adresse e-mail (lien envoyé à l'inscription) : votre "
            "compte est en lecture seule jusque-là."
        )
    return ""


def ensure_may_post(profile: MemberProfile) -> None:
    """Raise ``ValidationError`` (French reason) when ``profile`` may not post."""
    refusal = posting_refusal(profile)
    if refusal:
        raise ValidationError(refusal)


def login_refusal(user, now=None) -> str:
    """Why ``user`` may not sign in (an ongoing suspension or ban), or ``""``."""
    sanction = (
        Sanction.objects.filter(_active(now), user=user, kind__in=NO_LOGIN)
        .select_related("community")
        .order_by(LONGEST_FIRST)
        .first()
    )
    if sanction is None:
        return ""
    return _(
        "Votre compte est %(what)s dans la communauté %(community)s (%(until)s). Motif : %(reason)s"
    ) % {
        "what": _("banni") if sanction.kind == Sanction.Kind.BAN else _("suspendu"),
        "community": sanction.community.name,
        "until": until_text(sanction),
        "reason": sanction.reason,
    }


def refuse_sanctioned_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: a suspended or banned member is signed out at once and
    told why and until when (the login page's redirect shows the message)."""
    refusal = login_refusal(user)
    if refusal and request is not None:
        logout(request)
        messages.error(request, refusal)


def banned_email_sanction(community: Community, email: str, now=None) -> Sanction | None:
    email = (email or "").strip().lower()
    if not email:
        return None
    return (
        Sanction.objects.filter(_active(now), community=community, kind=Sanction.Kind.BAN)
        .filter(email=email)
        .first()
    )
