"""Files joined to posts: type, size and count limits set per community, trust levels that
unlock files and images, the content checked against its extension (an image must open in
Pillow, a PDF start like one…), and a PNG thumbnail for every image."""

import io
import os
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, UnidentifiedImageError

from relais.community.models import Attachment, ContentSettings, Post
from relais.community.models.content import FORBIDDEN_EXTENSIONS, IMAGE_EXTENSIONS
from relais.community.services._common import member_level

THUMBNAIL_BOX = (320, 320)
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
_PILLOW_FORMATS = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "png": "PNG",
    "gif": "GIF",
    "webp": "WEBP",
}
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ZIP_BASED = {"odt", "ods", "docx", "xlsx"}


def content_settings_of(community) -> ContentSettings:
    """The community's rules, or the defaults unsaved (reading writes nothing)."""
    return ContentSettings.objects.filter(community=community).first() or ContentSettings(
        community=community
    )


def _extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def _refuse(message: str, **values) -> ValidationError:
    return ValidationError({"attachments": message % values})


def _open_image(data: bytes, extension: str, name: str) -> Image.Image:
    invalid = _refuse(
        _("Le fichier « %(name)s » n'est pas une image %(type)s lisible."),
        name=name,
        type=extension.upper(),
    )
    try:
        image = Image.open(io.BytesIO(data))
        if image.format != _PILLOW_FORMATS[extension]:
            raise invalid
        if image.width * image.height > MAX_PIXELS:
            raise _refuse(_("L'image « %(name)s » compte trop de pixels."), name=name)
        image.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise invalid from None
    return image


def _check_content(data: bytes, extension: str, name: str) -> None:
    """Refuse a file whose bytes do not match its extension (a script renamed ``.pdf``)."""
    valid = True
    if extension == "pdf":
        valid = data.startswith(b"%PDF-")
    elif extension in {"txt", "csv"}:
        try:
            data.decode("utf-8")
            valid = b"\x00" not in data
        except UnicodeDecodeError:
            valid = False
    elif extension in _ZIP_BASED:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                valid = archive.testzip() is None
        except zipfile.BadZipFile:
            valid = False
    if not valid:
        raise _refuse(
            _("Le fichier « %(name)s » n'est pas un fichier %(type)s valide."),
            name=name,
            type=extension.upper(),
        )


def _thumbnail(image: Image.Image) -> bytes:
    image = image.convert("RGBA") if image.mode not in ("RGB", "RGBA") else image.copy()
    image.thumbnail(THUMBNAIL_BOX)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def attachments_check(*, user, community, uploads, already: int = 0) -> None:
    """Refuse, before anything is saved, the files ``user`` may not join to a post: too many,
    of a type the community does not accept, too heavy, images or files below the member's
    trust level. Messages are in French and name the file."""
    uploads = list(uploads or [])
    if not uploads:
        return
    rules = content_settings_of(community)
    if already + len(uploads) > rules.attachments_per_post:
        raise _refuse(
            ngettext(
                "Vous pouvez joindre au plus %(n)d fichier à un message.",
                "Vous pouvez joindre au plus %(n)d fichiers à un message.",
                rules.attachments_per_post,
            ),
            n=rules.attachments_per_post,
        )
    level = member_level(user, community)
    if level < rules.attachment_min_level:
        raise _refuse(
            _(
                "Votre niveau de confiance (%(level)d) ne permet pas encore de joindre des "
                "fichiers : le niveau %(needed)d est requis."
            ),
            level=level,
            needed=rules.attachment_min_level,
        )
    accepted = rules.extensions() - FORBIDDEN_EXTENSIONS
    for upload in uploads:
        name = os.path.basename(upload.name or "")[:200]
        extension = _extension(name)
        if extension not in accepted or extension not in CONTENT_TYPES:
            raise _refuse(
                _("Le type du fichier « %(name)s » n'est pas accepté. Types acceptés : %(types)s."),
                name=name,
                types=", ".join(sorted(accepted & set(CONTENT_TYPES))),
            )
        if upload.size > rules.attachment_max_mb * 1024 * 1024:
            raise _refuse(
                _("Le fichier « %(name)s » dépasse la taille maximale de %(mb)d Mo."),
                name=name,
                mb=rules.attachment_max_mb,
            )
        if extension in IMAGE_EXTENSIONS and level < rules.image_min_level:
            raise _refuse(
                _(
                    "Votre niveau de confiance (%(level)d) ne permet pas encore de joindre des "
                    "images : le niveau %(needed)d est requis."
                ),
                level=level,
                needed=rules.image_min_level,
            )


def attachments_add(*, user, post: Post, uploads) -> list[Attachment]:
    """Join ``uploads`` to ``post`` (its author, inside the service that creates the post):
    each checked (``attachments_check``) and its content read; images get a thumbnail.
    Files are stored under a random name; the member's file name is kept for display only."""
    community = post.topic.community
    uploads = list(uploads or [])
    attachments_check(
        user=user, community=community, uploads=uploads, already=post.attachments.count()
    )
    checked = []  # every file read and checked before the first one is stored
    for upload in uploads:
        name = os.path.basename(upload.name or "")[:200]
        extension = _extension(name)
        upload.seek(0)
        data = upload.read()
        image = None
        if extension in IMAGE_EXTENSIONS:
            image = _open_image(data, extension, name)
        else:
            _check_content(data, extension, name)
        checked.append((name, extension, data, image))
    saved = []
    for name, extension, data, image in checked:
        attachment = Attachment(
            community=community,
            post=post,
            uploader=user,
            original_name=name,
            extension=extension,
            content_type=CONTENT_TYPES[extension],
            size=len(data),
            is_image=image is not None,
        )
        attachment.file.save(extension, ContentFile(data), save=False)
        if image is not None:
            attachment.thumbnail.save("vignette.png", ContentFile(_thumbnail(image)), save=False)
        attachment.save()
        saved.append(attachment)
    return saved


CONTENT_RULE_FIELDS = (
    "attachment_extensions",
    "attachment_max_mb",
    "attachments_per_post",
    "attachment_min_level",
    "image_min_level",
    "link_min_level",
    "wiki_min_level",
    "wiki_edit_min_level",
    "tag_mode",
    "free_tag_min_level",
    "tags_per_topic",
)


def content_settings_set(*, user, community, **fields) -> ContentSettings:
    """Save the community's attachment and tag rules (administrators); audited."""
    from django.db import transaction

    from relais.community.access import ensure
    from relais.community.permissions import Permission
    from relais.core.audit.services import audit_log

    ensure(user, Permission.MANAGE, community)
    unknown = set(fields) - set(CONTENT_RULE_FIELDS)
    if unknown:
        raise ValidationError(_("Réglage inconnu : %(n)s.") % {"n": ", ".join(sorted(unknown))})
    with transaction.atomic():
        rules, _created = ContentSettings.objects.select_for_update().get_or_create(
            community=community
        )
        before = {name: getattr(rules, name) for name in CONTENT_RULE_FIELDS}
        for name, value in fields.items():
            setattr(rules, name, value)
        rules.full_clean(exclude=["community"])
        rules.save()
        audit_log(
            actor=user,
            action="community.settings.content",
            target=community,
            before=before,
            after={name: getattr(rules, name) for name in CONTENT_RULE_FIELDS},
            workspace=community.workspace,
        )
    return rules
