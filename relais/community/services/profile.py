"""A member's own profile: display name, branch, avatar, notification preferences and the
e-mail consent (kept on the kernel's Person)."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from relais.community.models import MemberProfile
from relais.core.audit.services import audit_log
from relais.core.contacts.models import ConsentChannel
from relais.core.contacts.services import consent_set
from relais.core.notifications.models import EmailFrequency
from relais.core.notifications.selectors import notification_preference_get
from relais.core.notifications.services import notification_preferences_update

AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
AVATAR_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
AVATAR_SIZE = 512
THUMBNAIL_SIZE = 96
# Categories of the forum's notifications a member may turn off in the app (sanction notices
# are never muted).
FORUM_CATEGORIES = ("community.reply", "community.mention", "community.official")


def _own(user, profile: MemberProfile) -> None:
    if profile.user_id != getattr(user, "pk", None) or profile.deleted_at is not None:
        from relais.core.exceptions import NotFound

        raise NotFound(_("Profil introuvable."))


def check_display_name(user, profile: MemberProfile, display_name: str) -> str:
    display_name = " ".join((display_name or "").split())
    if len(display_name) < 3:
        raise ValidationError(
            {"display_name": _("Le nom affiché doit compter au moins 3 caractères.")}
        )
    if display_name.casefold() == user.get_full_name().strip().casefold():
        raise ValidationError(
            {
                "display_name": _(
                    "Choisissez un nom affiché différent de votre nom civil : il sera public."
                )
            }
        )
    return display_name


@transaction.atomic
def profile_update(
    *,
    user,
    profile: MemberProfile,
    display_name: str,
    branch: str = "",
    notify_in_app: bool = True,
    email_frequency: str = EmailFrequency.DAILY,
    email_consent: bool | None = None,
) -> MemberProfile:
    """Save the member's own choices. The e-mail frequency is the kernel's notification
    preference; the e-mail consent goes to the member's Person (consent history)."""
    _own(user, profile)
    display_name = check_display_name(user, profile, display_name)
    before = {
        "display_name": profile.display_name,
        "branch": profile.branch,
        "notify_in_app": profile.notify_in_app,
    }
    profile.display_name, profile.branch, profile.notify_in_app = (
        display_name,
        branch,
        notify_in_app,
    )
    profile.full_clean(
        exclude=["community", "user", "person", "avatar", "avatar_thumbnail", "public_id"],
        validate_unique=False,
        validate_constraints=False,
    )
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:
        raise ValidationError(
            {"display_name": _("Ce nom affiché est déjà pris dans la communauté.")}
        ) from None
    preference = notification_preference_get(user=user)
    muted = set(preference.muted_categories or [])
    muted = muted - set(FORUM_CATEGORIES) if notify_in_app else muted | set(FORUM_CATEGORIES)
    if email_frequency not in EmailFrequency.values:
        raise ValidationError({"email_frequency": _("Choisissez une fréquence de la liste.")})
    notification_preferences_update(
        user=user, email_frequency=email_frequency, muted_categories=muted
    )
    if email_consent is not None and profile.person is not None:
        consent_set(
            actor=None,
            contact=profile.person,
            channel=ConsentChannel.EMAIL,
            granted=email_consent,
            source="community.profile",
        )
    audit_log(
        actor=user,
        action="community.member.profile",
        target=profile,
        before=before,
        after={
            "display_name": profile.display_name,
            "branch": profile.branch,
            "notify_in_app": profile.notify_in_app,
            "email_frequency": email_frequency,
            "email_consent": email_consent,
        },
        workspace=profile.community.workspace,
    )
    return profile


def _square(image: Image.Image, size: int) -> Image.Image:
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    return image.crop((left, top, left + side, top + side)).resize((size, size), Image.LANCZOS)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def read_avatar(upload) -> Image.Image:
    """Open an uploaded image, refused (French) when too heavy, not an image, of a type
    outside JPEG / PNG / WebP / GIF, or too many pixels."""
    if upload is None:
        raise ValidationError({"avatar": _("Choisissez une image.")})
    if upload.size > AVATAR_MAX_BYTES:
        raise ValidationError(
            {
                "avatar": _("L'image ne doit pas dépasser %(mb)d Mo.")
                % {"mb": AVATAR_MAX_BYTES // 2**20}
            }
        )
    try:
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in AVATAR_FORMATS:
            raise ValidationError({"avatar": _("Formats acceptés : JPEG, PNG, WebP ou GIF.")})
        if image.width * image.height > AVATAR_MAX_PIXELS:
            raise ValidationError({"avatar": _("Cette image compte trop de pixels.")})
        image.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(
            {"avatar": _("Ce fichier n'est pas une image lisible (JPEG, PNG, WebP ou GIF).")}
        ) from None
    return image.convert("RGBA") if image.mode not in ("RGB", "RGBA") else image


def _remove_files(profile: MemberProfile) -> None:
    for field in (profile.avatar, profile.avatar_thumbnail):
        if field:
            field.delete(save=False)


@transaction.atomic
def avatar_set(*, user, profile: MemberProfile, upload) -> MemberProfile:
    """Store the member's avatar, re-encoded as PNG (at most 512 px, metadata dropped) with
    a 96 px square thumbnail; the previous files are removed."""
    _own(user, profile)
    image = read_avatar(upload)
    image.thumbnail((AVATAR_SIZE, AVATAR_SIZE))
    name = uuid.uuid4().hex
    _remove_files(profile)
    profile.avatar.save(f"{name}.png", ContentFile(_png(image)), save=False)
    profile.avatar_thumbnail.save(
        f"{name}-96.png", ContentFile(_png(_square(image, THUMBNAIL_SIZE))), save=False
    )
    profile.save(update_fields=["avatar", "avatar_thumbnail", "updated_at"])
    audit_log(
        actor=user,
        action="community.member.avatar",
        target=profile,
        after={"avatar": profile.avatar.name},
        workspace=profile.community.workspace,
    )
    return profile


@transaction.atomic
def avatar_remove(*, user, profile: MemberProfile) -> MemberProfile:
    _own(user, profile)
    _remove_files(profile)
    profile.avatar, profile.avatar_thumbnail = "", ""
    profile.save(update_fields=["avatar", "avatar_thumbnail", "updated_at"])
    return profile
