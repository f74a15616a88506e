"""The back office's actions: a community's switches, categories, trust thresholds, banned
words, widget allow-list and accessibility statement. Each is for administrators
(``community.manage``), transactional, and audited with what it changed."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relais.community.access import ensure
from relais.community.models import (
    DEFAULT_FEATURES,
    BannedWord,
    Category,
    Community,
)
from relais.community.moderation.words import WordListError, make_entry, parse_words_csv
from relais.community.permissions import Permission
from relais.core.audit.services import audit_log

TRUST_RULES = (
    "days_visited",
    "posts_read",
    "read_minutes",
    "posts_count",
    "likes_given",
    "likes_received",
    "flags_agreed",
    "max_flags_received",
)
ORIGINS_MAX = 20
_HOST = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)


def _audit(user, community: Community, action: str, target, before, after) -> None:
    audit_log(
        actor=user,
        action=f"community.settings.{action}",
        target=target,
        before=before,
        after=after,
        workspace=community.workspace,
    )


@transaction.atomic
def features_set(*, user, community: Community, features: dict[str, bool]) -> Community:
    """Turn the community's modules on and off (unknown module names are refused)."""
    ensure(user, Permission.MANAGE, community)
    unknown = set(features) - set(DEFAULT_FEATURES)
    if unknown:
        raise ValidationError(
            _("Module inconnu : %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    community = Community.objects.select_for_update().get(pk=community.pk)
    before = {**DEFAULT_FEATURES, **(community.features or {})}
    community.features = {name: bool(features.get(name, False)) for name in DEFAULT_FEATURES}
    community.save(update_fields=["features", "updated_at"])
    _audit(user, community, "features", community, before, community.features)
    return community


@transaction.atomic
def category_save(*, user, community: Community, category: Category | None = None, **fields):
    """Create a category of ``community`` (``category`` None) or change one of its own."""
    ensure(user, Permission.MANAGE, community)
    if category is not None and category.community_id != community.pk:
        raise ValidationError(_("Catégorie introuvable."))
    before = None
    if category is None:
        category = Category(community=community)
    else:
        category = Category.objects.select_for_update().get(pk=category.pk)
        before = {name: getattr(category, name) for name in fields}
    for name, value in fields.items():
        setattr(category, name, value)
    if category.post_access == "public":
        raise ValidationError({"post_access": _("Un visiteur anonyme ne peut pas publier.")})
    category.full_clean(exclude=["community"], validate_unique=False)
    if (
        Category.objects.filter(community=community, slug=category.slug)
        .exclude(pk=category.pk)
        .exists()
    ):
        raise ValidationError({"slug": _("Une autre catégorie porte déjà cet identifiant.")})
    category.save()
    _audit(user, community, "category", category, before, fields)
    return category


def _threshold_value(level: str, rule: str, value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            _("Niveau %(level)s : « %(rule)s » doit être un nombre entier.")
            % {"level": level, "rule": rule}
        ) from None
    if number < 0 or number > 100_000:
        raise ValidationError(
            _("Niveau %(level)s : « %(rule)s » doit être compris entre 0 et 100 000.")
            % {"level": level, "rule": rule}
        )
    return number


@transaction.atomic
def trust_thresholds_set(
    *, user, community: Community, thresholds: dict[str, dict[str, int]]
) -> Community:
    """Set what levels 1 to 3 ask for. Each level must ask at least as much as the one below
    (else a member would skip a level); the next computation promotes or demotes members."""
    ensure(user, Permission.MANAGE, community)
    table: dict[str, dict[str, int]] = {}
    for level in ("1", "2", "3"):
        rule = thresholds.get(level) or {}
        if set(rule) - set(TRUST_RULES):
            raise ValidationError(_("Critère inconnu au niveau %(level)s.") % {"level": level})
        table[level] = {name: _threshold_value(level, name, value) for name, value in rule.items()}
    for lower, upper in (("1", "2"), ("2", "3")):
        for name in TRUST_RULES:
            if name == "max_flags_received":
                continue
            if table[upper].get(name, 0) < table[lower].get(name, 0):
                raise ValidationError(
                    _(
                        "Le niveau %(upper)s doit demander au moins autant que le niveau "
                        "%(lower)s (critère « %(rule)s »)."
                    )
                    % {"upper": upper, "lower": lower, "rule": name}
                )
    community = Community.objects.select_for_update().get(pk=community.pk)
    before = community.trust_thresholds
    community.trust_thresholds = table
    community.save(update_fields=["trust_thresholds", "updated_at"])
    _audit(user, community, "trust", community, before, table)
    return community


def _spec(action: str, replacement: str) -> str:
    return f"{action}:{replacement}" if action in ("replace", "link") else action


@transaction.atomic
def banned_word_add(
    *, user, community: Community, word: str, action: str, replacement: str = ""
) -> BannedWord:
    """Add one entry to the list, checked by the moderation engine (``make_entry``)."""
    ensure(user, Permission.MANAGE, community)
    try:
        entry = make_entry(word, _spec(action, (replacement or "").strip()))
    except WordListError as error:
        raise ValidationError({"word": _("Entrée refusée : %(why)s") % {"why": error}}) from None
    try:
        with transaction.atomic():
            banned = BannedWord.objects.create(
                community=community,
                word=entry.word,
                action=entry.action,
                replacement=entry.argument,
            )
    except IntegrityError:
        raise ValidationError(
            {"word": _("« %(word)s » est déjà dans la liste.") % {"word": entry.word}}
        ) from None
    _audit(user, community, "word.add", banned, None, {"word": entry.word, "action": action})
    return banned


@transaction.atomic
def banned_word_remove(*, user, community: Community, word_id: int) -> None:
    ensure(user, Permission.MANAGE, community)
    banned = BannedWord.objects.filter(community=community, pk=word_id).first()
    if banned is None:
        raise ValidationError(_("Ce mot n'est pas dans la liste."))
    _audit(user, community, "word.remove", banned, {"word": banned.word}, None)
    banned.delete()


@transaction.atomic
def banned_words_import(*, user, community: Community, text: str) -> int:
    """Add (or update the action of) every entry of a CSV text ``word,action``: all or
    nothing, the first bad line named in French. Returns the number of entries read."""
    ensure(user, Permission.MANAGE, community)
    try:
        entries = parse_words_csv(text)
    except WordListError as error:
        raise ValidationError({"text": str(error)}) from None
    if not entries:
        raise ValidationError({"text": _("La liste est vide.")})
    for entry in entries:
        BannedWord.objects.update_or_create(
            community=community,
            word=entry.word,
            defaults={"action": entry.action, "replacement": entry.argument},
        )
    _audit(user, community, "word.import", community, None, {"entries": len(entries)})
    return len(entries)


def clean_origin(value: str) -> str:
    """``https://www.exemple.fr/accueil`` -> ``https://www.exemple.fr``; a French
    ``ValidationError`` for anything that is not an http(s) origin."""
    text = (value or "").strip().lower().rstrip("/")
    parts = urlsplit(text)
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or not host
        or not (_HOST.match(host) or host == "localhost" or re.match(r"^\d+(\.\d+){3}$", host))
        or parts.username
        or parts.password
        or parts.query
        or parts.fragment
        or (parts.path not in ("",))
    ):
        raise ValidationError(
            _("« %(value)s » n'est pas une origine web (https://www.exemple.fr).")
            % {"value": value.strip()}
        )
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(_("« %(value)s » : port invalide.") % {"value": value}) from None
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


@transaction.atomic
def embed_origins_set(*, user, community: Community, origins: list[str]) -> Community:
    """The sites allowed to frame the widget and to read its questions (at most 20)."""
    ensure(user, Permission.MANAGE, community)
    cleaned: list[str] = []
    for value in origins:
        if value.strip():
            origin = clean_origin(value)
            if origin not in cleaned:
                cleaned.append(origin)
    if len(cleaned) > ORIGINS_MAX:
        raise ValidationError(
            _("Au plus %(count)d sites peuvent intégrer le widget.") % {"count": ORIGINS_MAX}
        )
    community = Community.objects.select_for_update().get(pk=community.pk)
    before = community.embed_origins
    community.embed_origins = cleaned
    community.save(update_fields=["embed_origins", "updated_at"])
    _audit(user, community, "embed", community, {"origins": before}, {"origins": cleaned})
    return community


@transaction.atomic
def accessibility_set(*, user, community: Community, statement: dict) -> Community:
    """Save the accessibility statement's fields (``relais.community.statement.FIELDS``)."""
    from relais.community.statement import FIELDS

    ensure(user, Permission.MANAGE, community)
    unknown = set(statement) - set(FIELDS)
    if unknown:
        raise ValidationError(_("Champ inconnu dans la déclaration."))
    community = Community.objects.select_for_update().get(pk=community.pk)
    before = community.accessibility
    community.accessibility = {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in statement.items()
        if value not in (None, "")
    }
    community.save(update_fields=["accessibility", "updated_at"])
    _audit(user, community, "accessibility", community, before, community.accessibility)
    return community
