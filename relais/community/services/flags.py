"""Flags and their review: the explicit auto-hide rule, decisions, flaggers' accuracy.

The rule, as administrators read it in the review queue (``auto_hide_rule``):

* a flag weighs ``base(level) × (0.5 + accuracy)``, where ``base`` is the community's weight
  for the flagger's trust level (1, 1, 1.5, 2, 2.5 by default for levels 0–4) and
  ``accuracy = (agreed + 1) / (agreed + disagreed + 2)`` from the flagger's past flags (0.5
  for a newcomer, so a newcomer's level-0 flag weighs exactly 1);
* a post is hidden as soon as the weights of its pending flags reach the community's
  threshold (3 by default: three newcomers, or two trusted members with a good record);
* the moderator's decision applies to every pending flag of the post: **agree** keeps it
  hidden (now by the moderation), counts an upheld flag against its author (trust
  demotion) and a good flag for each flagger; **disagree** shows it again and counts a bad
  flag for each flagger; **defer** closes the flags without judging anyone and shows it
  again. Hiding is never deletion: both are reversible.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.community.access import ensure, ensure_can_moderate, ensure_category_readable
from relais.community.models import Community, Flag, MemberProfile, Post
from relais.community.permissions import Event, Permission
from relais.community.services._common import author_profile, profile_of, record_event
from relais.community.services.members import trust_level_update
from relais.community.services.notifications import moderation_notice
from relais.core.audit.services import audit_log

DECISIONS = {
    "agree": Flag.State.AGREED,
    "disagree": Flag.State.DISAGREED,
    "defer": Flag.State.DEFERRED,
}
TEXT_REQUIRED = {Flag.Reason.OTHER}


def flag_weight(profile: MemberProfile | None, community: Community) -> Decimal:
    """The weight of a flag by ``profile`` (see the module's rule), to two decimals."""
    level = profile.trust_level if profile is not None else 0
    accuracy = profile.flag_accuracy if profile is not None else 0.5
    weight = community.flag_weight_of_level(level) * (0.5 + accuracy)
    return Decimal(str(weight)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def auto_hide_rule(community: Community) -> str:
    """The auto-hide rule in words, with the community's own numbers."""
    weights = ", ".join(
        f"{level} : {community.flag_weight_of_level(level):g}".replace(".", ",")
        for level in range(5)
    )
    threshold = f"{community.auto_hide_threshold.normalize():f}".replace(".", ",")
    return _(
        "Un message est masqué dès que la somme des poids de ses signalements en attente "
        "atteint %(threshold)s. Le poids d'un signalement vaut le poids du niveau de confiance "
        "de son auteur (%(weights)s) multiplié par (0,5 + sa précision passée), où la précision "
        "vaut (confirmés + 1) / (confirmés + rejetés + 2). Confirmer garde le message masqué ; "
        "rejeter ou classer sans suite le rend de nouveau visible."
    ) % {"threshold": threshold, "weights": weights}


def pending_weight(post: Post) -> Decimal:
    return Flag.objects.filter(post=post, state=Flag.State.PENDING).aggregate(total=Sum("weight"))[
        "total"
    ] or Decimal(0)


def _set_hidden(*, post: Post, hidden: str, user=None, reason: str = "") -> None:
    was = post.hidden
    if was == hidden:
        return
    post.hidden = hidden
    post.save(update_fields=["hidden", "updated_at"])
    record_event(
        community=post.topic.community,
        event_code=Event.POST_HIDDEN if hidden else Event.POST_SHOWN,
        topic=post.topic,
        profile=author_profile(post),
        actor=user,
        staff=user is not None,
        summary=reason,
        source=post,
    )


@transaction.atomic
def flag_create(*, user, post: Post, reason: str, text: str = "") -> Flag:
    """Report ``post`` to the moderators (members may flag; once per post while pending).

    The flag's weight is fixed when it is made; if the pending weights reach the community's
    threshold the post is hidden at once (``hidden = "flags"``).
    """
    post = (
        Post.objects.select_for_update()
        .select_related("topic__community", "topic__category")
        .get(pk=post.pk)
    )
    community = post.topic.community
    ensure(user, Permission.FLAG, community)
    ensure_category_readable(user, post.topic.category)
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": _("Choisissez le motif du signalement.")})
    text = (text or "").strip()
    if reason in TEXT_REQUIRED and not text:
        raise ValidationError({"text": _("Précisez le motif du signalement.")})
    if post.author_id == user.pk:
        raise ValidationError(_("Vous ne pouvez pas signaler votre propre message."))
    if post.is_deleted:
        raise ValidationError(_("Ce message a été supprimé."))
    if Flag.objects.filter(post=post, flagger=user, state=Flag.State.PENDING).exists():
        raise ValidationError(_("Vous avez déjà signalé ce message ; la modération l'examine."))
    flag = Flag.objects.create(
        community=community,
        post=post,
        flagger=user,
        reason=reason,
        text=text[:500],
        weight=flag_weight(profile_of(user, community), community),
    )
    record_event(
        community=community,
        event_code=Event.POST_FLAGGED,
        topic=post.topic,
        profile=profile_of(user, community),
        summary=flag.get_reason_display(),
        source=flag,
    )
    if not post.hidden and pending_weight(post) >= community.auto_hide_threshold:
        _set_hidden(post=post, hidden=Post.Hidden.FLAGS, reason=_("Seuil de signalements atteint."))
        pending = Flag.objects.filter(post=post, state=Flag.State.PENDING)
        _tell_author(post, "community.post.autohide", _flag_reasons(pending))
    return flag


def _flag_reasons(flags) -> str:
    """The reasons of ``flags`` (« Hors sujet, Spam ou publicité »), as the post's author reads
    them; never who flagged."""
    labels = dict(Flag.Reason.choices)
    return ", ".join(sorted({str(labels[flag.reason]) for flag in flags}))


def _tell_author(post: Post, action: str, reason: str, user=None) -> None:
    from relais.community.seo import topic_path  # imported late, as in notifications.py

    moderation_notice(
        user=user,
        action=action,
        topic=post.topic,
        profile=author_profile(post),
        reason=reason,
        url=f"{topic_path(post.topic)}#message-{post.public_id}",
    )


@transaction.atomic
def flag_decide(*, user, post: Post, decision: str, note: str = "") -> list[Flag]:
    """Decide every pending flag of ``post`` (moderators): ``agree``, ``disagree`` or ``defer``.

    See the module's rule for what each decision does to the post, its author and the
    flaggers. Audited; logged on the author's and each flagger's history.
    """
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choisissez une décision.")})
    post = Post.objects.select_for_update().select_related("topic__community").get(pk=post.pk)
    community = post.topic.community
    ensure_can_moderate(user, post.topic.category)
    flags = list(
        Flag.objects.select_for_update().filter(post=post, state=Flag.State.PENDING).order_by("id")
    )
    if not flags:
        raise ValidationError(_("Ce message n'a aucun signalement en attente."))
    now = timezone.now()
    state = DECISIONS[decision]
    Flag.objects.filter(pk__in=[flag.pk for flag in flags]).update(
        state=state, handler=user, handled_at=now, updated_at=now
    )
    counter = {"agree": "flags_agreed", "disagree": "flags_disagreed"}.get(decision)
    flaggers = MemberProfile.objects.filter(
        community=community, user_id__in={flag.flagger_id for flag in flags}
    )
    if counter:
        flaggers.update(**{counter: F(counter) + 1})
        for flagger in flaggers:
            trust_level_update(profile=flagger)
    author = author_profile(post)
    reasons = _flag_reasons(flags)
    told = f"{reasons} — {note.strip()}" if note.strip() else reasons
    if decision == "agree":
        _set_hidden(post=post, hidden=Post.Hidden.MODERATOR, user=user, reason=note)
        _tell_author(post, "community.flag.agree", told, user=user)
        if author is not None:
            MemberProfile.objects.filter(pk=author.pk).update(
                flags_received=F("flags_received") + 1
            )
            author.refresh_from_db()
            trust_level_update(profile=author)
    elif post.hidden == Post.Hidden.FLAGS:
        _set_hidden(post=post, hidden=Post.Hidden.NO, user=user, reason=note)
        _tell_author(post, "community.flag.shown", told, user=user)
    audit_log(
        actor=user,
        action=f"community.flag.{decision}",
        target=post,
        after={"flags": [str(flag.public_id) for flag in flags], "note": note.strip()},
        workspace=community.workspace,
    )
    record_event(
        community=community,
        event_code=Event.FLAG_DECIDED,
        topic=post.topic,
        profile=author,
        actor=user,
        staff=True,
        outcome=decision,
        summary=note.strip(),
        source=post,
    )
    for flag in flags:
        flag.state, flag.handler, flag.handled_at = state, user, now
    return flags
