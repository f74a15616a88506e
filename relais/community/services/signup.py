"""Public sign-up to a community, e-mail verification and password reset.

A new member creates an account with their e-mail (their login), a password checked by
Django's validators, a public display name distinct from their legal name, an artistic
branch and the community's charter accepted (its date and the SHA-256 of the text accepted
are kept). The account is read-only until the address is verified through a signed link
(``django.core.signing``, expiring). Anti-abuse: attempts are counted per IP and per
address in the shared cache, a honeypot field catches robots, disposable domains and
banned addresses are refused.
"""

import hashlib
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.community.models import Community, MemberProfile, MemberSettings
from relais.community.services.member_events import MemberEvent
from relais.community.services.members import member_join
from relais.core.accounts.roles import Role
from relais.core.accounts.services import organization_role_grant
from relais.core.audit.services import audit_log
from relais.core.contacts.models import Person
from relais.core.exceptions import NotFound
from relais.core.interactions.models import Channel, Direction
from relais.core.interactions.services import record

VERIFY_SALT = "relais.community.signup.verify"
RESET_SALT = "relais.community.password.reset"
VERIFY_MAX_AGE = 3 * 24 * 3600  # three days
RESET_MAX_AGE = 2 * 3600  # two hours
# Attempts allowed per window (sign-ups and reset requests counted together per key).
LIMIT_PER_IP = 10
LIMIT_PER_EMAIL = 3
LIMIT_WINDOW = 3600


def charter_hash(community: Community) -> str:
    """SHA-256 of the charter's text (Unicode NFC, line ends normalised): the version a
    member accepted."""
    text = unicodedata.normalize("NFC", (community.charter or "").replace("\r\n", "\n")).strip()
    return hashlib.sha256(text.encode()).hexdigest()


def member_settings(community: Community) -> MemberSettings:
    """The community's member rules (defaults when never edited; nothing written)."""
    found = MemberSettings.objects.filter(community=community).first()
    return found or MemberSettings(community=community)


def normalise_email(email: str) -> str:
    email = (email or "").strip()
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}" if local else email


def _domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def is_disposable(community: Community, email: str) -> bool:
    domain = _domain(email)
    domains = member_settings(community).domains()
    return any(domain == d or domain.endswith("." + d) for d in domains)


def throttle(*, scope: str, ip: str, email: str = "") -> None:
    """Count one attempt for ``ip`` and ``email``; refuse beyond the limits of the window
    (French message). The counts live in the shared cache and expire with the window."""
    keys = [(f"community:{scope}:ip:{ip}", LIMIT_PER_IP)]
    if email:
        keys.append((f"community:{scope}:email:{email.lower()}", LIMIT_PER_EMAIL))
    over = False
    for key, limit in keys:
        if cache.add(key, 1, timeout=LIMIT_WINDOW):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=LIMIT_WINDOW)
                count = 1
        over = over or count > limit
    if over:
        raise ValidationError(
            _("Trop de tentatives en peu de temps : réessayez dans une heure."),
            code="throttled",
        )


def email_banned(community: Community, email: str) -> bool:
    from relais.community.services.sanctions import banned_email_sanction

    return banned_email_sanction(community, email) is not None


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    send_mail(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
        message=render_to_string(template, context),
        from_email=None,
        recipient_list=[to],
    )


def verification_token(profile: MemberProfile) -> str:
    return signing.dumps(
        {"p": profile.pk, "c": profile.community_id, "e": profile.user.email.lower()},
        salt=VERIFY_SALT,
    )


def verification_send(*, profile: MemberProfile, base_url: str) -> None:
    """E-mail the verification link to the member (after the transaction commits)."""
    link = base_url.rstrip("/") + reverse(
        "community:signup-verify", kwargs={"token": verification_token(profile)}
    )
    context = {
        "community": profile.community,
        "profile": profile,
        "link": link,
        "days": VERIFY_MAX_AGE // 86400,
    }
    email = profile.user.email
    transaction.on_commit(
        lambda: _send(
            to=email,
            subject=_("Confirmez votre adresse e-mail"),
            template="community/email/verify.txt",
            context=context,
        )
    )


@transaction.atomic
def member_signup(
    *,
    community: Community,
    email: str,
    password: str,
    display_name: str,
    first_name: str = "",
    last_name: str = "",
    branch: str = "",
    accept_charter: bool = False,
    base_url: str = "",
) -> MemberProfile:
    """Create the account and the membership of a visitor; the address stays to verify
    (read-only member) until the link e-mailed here is followed.

    Refused with French messages: an invalid, disposable or banned address, an address that
    already has an account, a password Django's validators refuse, a display name equal to
    the legal name or taken, the charter not accepted. The member's kernel ``Person`` is
    the one of the same e-mail in the community's workspace, else a new one.
    """
    User = get_user_model()
    email = normalise_email(email)
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")]
    else:
        if is_disposable(community, email):
            errors["email"] = [
                _(
                    "Les adresses e-mail jetables ne sont pas acceptées : utilisez une adresse durable."
                )
            ]
        elif email_banned(community, email):
            errors["email"] = [_("Cette adresse e-mail ne peut plus s'inscrire à la communauté.")]
        elif (
            User.objects.filter(email__iexact=email).exists()
            or User.objects.filter(username__iexact=email).exists()
        ):
            errors["email"] = [
                _(
                    "Un compte existe déjà avec cette adresse : connectez-vous, ou demandez un "
                    "nouveau mot de passe."
                )
            ]
    if not accept_charter:
        errors["accept_charter"] = [_("Acceptez la charte de la communauté pour vous inscrire.")]
    candidate = User(username=email, email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password or "", user=candidate)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    user = User(
        username=email[:150],
        email=email,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
        organization=community.organization,
    )
    user.set_password(password)
    user.save()
    organization_role_grant(user=user, organization=community.organization, role=Role.MEMBER)
    person_existed = Person.objects.filter(
        workspace=community.workspace, email__iexact=email
    ).exists()
    profile = member_join(
        user=user,
        community=community,
        display_name=display_name,
        branch=branch,
        accept_charter=accept_charter,
    )
    profile.charter_version = charter_hash(community)
    profile.email_pending = True
    profile.person_created = not person_existed
    profile.save(update_fields=["charter_version", "email_pending", "person_created"])
    audit_log(
        actor=user,
        action="community.member.signup",
        target=profile,
        after={
            "community": community.slug,
            "charter_version": profile.charter_version,
            "charter_accepted_at": profile.charter_accepted_at,
        },
        workspace=community.workspace,
    )
    verification_send(profile=profile, base_url=base_url or settings.RELAIS_SITE_URL)
    return profile


def verification_profile(*, community: Community, token: str, max_age: int = VERIFY_MAX_AGE):
    """The profile a verification link names (read only). An expired link raises
    ``ValidationError``; a forged one, or one of another community, ``NotFound``."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationError(
            _("Ce lien de vérification a expiré : demandez-en un nouveau."), code="expired"
        ) from None
    except signing.BadSignature:
        raise NotFound(_("Lien de vérification invalide.")) from None
    profile = (
        MemberProfile.objects.select_related("user", "community")
        .filter(pk=data.get("p"), community=community, deleted_at__isnull=True)
        .first()
    )
    if profile is None or profile.user.email.lower() != data.get("e"):
        raise NotFound(_("Lien de vérification invalide."))
    return profile


@transaction.atomic
def email_verify(*, community: Community, token: str, max_age: int = VERIFY_MAX_AGE):
    """Mark the member's address verified: the account may post from now on. Following
    the link again changes nothing."""
    profile = verification_profile(community=community, token=token, max_age=max_age)
    if not profile.email_pending:
        return profile
    profile.email_pending = False
    profile.email_verified_at = timezone.now()
    profile.save(update_fields=["email_pending", "email_verified_at", "updated_at"])
    audit_log(
        actor=profile.user,
        action="community.member.verify",
        target=profile,
        after={"email_verified_at": profile.email_verified_at},
        workspace=community.workspace,
    )
    record(
        workspace=community.workspace,
        event_code=MemberEvent.EMAIL_VERIFIED,
        channel=Channel.FORUM,
        direction=Direction.INBOUND,
        topic=_("Adresse e-mail vérifiée"),
        person=profile.person,
        visitor_key="" if profile.person_id else f"community-member:{profile.pk}",
        source=profile,
    )
    return profile


def verification_resend(*, profile: MemberProfile, base_url: str) -> bool:
    """Send the link again to a member whose address is still to verify."""
    if not profile.email_pending:
        return False
    verification_send(profile=profile, base_url=base_url)
    return True


# --- Password reset ----------------------------------------------------------------------


def password_reset_token(*, user, community: Community) -> str:
    """A signed, expiring link token naming ``user`` in ``community``; it embeds Django's
    password-reset token, which changes with the password: the link serves once."""
    return signing.dumps(
        {"u": user.pk, "c": community.pk, "t": default_token_generator.make_token(user)},
        salt=RESET_SALT,
    )


def password_reset_request(*, community: Community, email: str, base_url: str) -> bool:
    """E-mail a password reset link if an active member of ``community`` has this address.
    The caller says the same thing either way (no account enumeration). Returns whether a
    message left."""
    email = normalise_email(email)
    profile = (
        MemberProfile.objects.select_related("user")
        .filter(community=community, user__email__iexact=email, deleted_at__isnull=True)
        .first()
    )
    if profile is None or not profile.user.is_active or not profile.user.has_usable_password():
        return False
    user = profile.user
    token = password_reset_token(user=user, community=community)
    link = base_url.rstrip("/") + reverse(
        "community:password-reset-confirm", kwargs={"reset_token": token}
    )
    _send(
        to=user.email,
        subject=_("Nouveau mot de passe"),
        template="community/email/password_reset.txt",
        context={
            "community": community,
            "profile": profile,
            "link": link,
            "hours": RESET_MAX_AGE // 3600,
        },
    )
    return True


def password_reset_user(*, community: Community, token: str, max_age: int = RESET_MAX_AGE):
    """The user a reset link names. Expired or already used: ``ValidationError``; forged or
    of another community: ``NotFound``."""
    try:
        data = signing.loads(token, salt=RESET_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationError(
            _("Ce lien a expiré : demandez un nouveau mot de passe."), code="expired"
        ) from None
    except signing.BadSignature:
        raise NotFound(_("Lien invalide.")) from None
    profile = (
        MemberProfile.objects.select_related("user")
        .filter(community=community, user_id=data.get("u"), deleted_at__isnull=True)
        .first()
    )
    if profile is None:
        raise NotFound(_("Lien invalide."))
    if not default_token_generator.check_token(profile.user, data.get("t", "")):
        raise ValidationError(
            _("Ce lien a déjà servi : demandez un nouveau mot de passe."), code="used"
        )
    return profile.user


@transaction.atomic
def password_reset_set(*, community: Community, token: str, password: str):
    """Set the new password of the user the link names (Django's validators apply); the
    link cannot serve twice (the token depends on the password)."""
    user = password_reset_user(community=community, token=token)
    try:
        validate_password(password or "", user=user)
    except ValidationError as error:
        raise ValidationError({"new_password1": list(error.messages)}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_log(
        actor=user,
        action="community.member.password_reset",
        target=user,
        workspace=community.workspace,
    )
    return user
