"""Answer templates: each body's texts with merge fields (``{{ entreprise }}``…), kept by
the body's supervisors and moderators, merged for a request when a referent answers.

The merge is a plain substitution of known names, not a template language: a template
can neither reach other data nor run anything, and an unknown name is a French error."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.audit.services import audit_log
from relais.core.exceptions import AccessDenied
from relais.core.userkit import french_date
from relais.frontdoor import access, clocks
from relais.frontdoor import permissions as perms
from relais.frontdoor.models import AnswerTemplate, Body, Request
from relais.frontdoor.services._common import now as _now

FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def _date(value) -> str:
    return french_date(value) if value else ""


# name → (what it holds, how it is read from (request, body, joint bodies, author)).
MERGE_FIELDS: dict[str, tuple[str, Callable]] = {
    "entreprise": (
        gettext_lazy("raison sociale de l'entreprise"),
        lambda r, b, j, a: r.company.legal_name if r.company_id else "",
    ),
    "siret": (gettext_lazy("SIRET"), lambda r, b, j, a: r.company.siret if r.company_id else ""),
    "contact": (
        gettext_lazy("nom du demandeur"),
        lambda r, b, j, a: r.person.full_name if r.person_id else "",
    ),
    "civilite_contact": (
        gettext_lazy("« Madame », « Monsieur » ou « Madame, Monsieur »"),
        lambda r, b, j, a: _civility(r),
    ),
    "code_suivi": (gettext_lazy("code de suivi"), lambda r, b, j, a: r.tracking_code),
    "objet": (gettext_lazy("objet de la demande"), lambda r, b, j, a: r.subject),
    "organisme": (gettext_lazy("organisme qui répond"), lambda r, b, j, a: b.name),
    "organismes": (
        gettext_lazy("organismes qui répondent (réponse commune)"),
        lambda r, b, j, a: ", ".join(x.name for x in [b, *j]),
    ),
    "telephone_organisme": (gettext_lazy("téléphone de l'organisme"), lambda r, b, j, a: b.phone),
    "referent": (
        gettext_lazy("nom du référent qui répond"),
        lambda r, b, j, a: a.display_name if a is not None else "",
    ),
    "date_reception": (
        gettext_lazy("date de réception de la demande"),
        lambda r, b, j, a: _date(clocks.local_date(r.received_at)),
    ),
    "date_du_jour": (
        gettext_lazy("date du jour"),
        lambda r, b, j, a: _date(clocks.local_date(_now())),
    ),
    "echeance_reponse": (
        gettext_lazy("date de première réponse promise"),
        lambda r, b, j, a: _date(r.first_answer_due),
    ),
    "date_rejet_implicite": (
        gettext_lazy("date de décision implicite de rejet"),
        lambda r, b, j, a: _date(r.rejection_deadline),
    ),
}


def _civility(request: Request) -> str:
    civility = getattr(request.person, "civility", "") if request.person_id else ""
    return {"M": _("Monsieur"), "MME": _("Madame")}.get(str(civility), _("Madame, Monsieur"))


def fields_help() -> str:
    return ", ".join(f"{{{{ {name} }}}} ({label})" for name, (label, _r) in MERGE_FIELDS.items())


def template_check(text: str) -> list[str]:
    """The merge fields of ``text``, or a French ``ValidationError`` naming each unknown
    field and any brace left open."""
    errors = []
    names = [m.group(1) for m in FIELD.finditer(text)]
    unknown = [n for n in dict.fromkeys(names) if n not in MERGE_FIELDS]
    for name in unknown:
        errors.append(
            _("Champ de fusion inconnu : « {{ %(name)s }} ». Champs disponibles : %(fields)s.")
            % {"name": name, "fields": ", ".join(MERGE_FIELDS)}
        )
    leftover = FIELD.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        errors.append(
            _("Une accolade double « {{ » ou « }} » n'est pas refermée : écrivez {{ champ }}.")
        )
    if errors:
        raise ValidationError(errors)
    return names


def template_merge(text: str, *, request: Request, body: Body, joint_bodies=(), author=None) -> str:
    """``text`` with each merge field replaced by its value for ``request``, answered by
    ``body`` (with ``joint_bodies``) and written by ``author``."""
    template_check(text)
    joint = list(joint_bodies)

    def value(match: re.Match) -> str:
        return str(MERGE_FIELDS[match.group(1)][1](request, body, joint, author) or "")

    return FIELD.sub(value, text)


@transaction.atomic
def answer_template_save(
    *,
    actor,
    body: Body,
    name: str,
    text: str,
    active: bool = True,
    template: AnswerTemplate | None = None,
) -> AnswerTemplate:
    """Create (``template=None``) or change a body's answer template. Only the body's
    supervisors and moderators (``frontdoor.answer_template.manage``); the merge fields are
    checked."""
    if not access.bodies_of(actor, perms.TEMPLATES).filter(pk=body.pk).exists():
        raise AccessDenied(_("Vous ne gérez pas les modèles de réponse de cet organisme."))
    if template is not None and template.body_id != body.pk:
        raise AccessDenied(_("Ce modèle appartient à un autre organisme."))
    name, text = (name or "").strip(), (text or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Nommez le modèle.")
    if not text:
        errors["text"] = _("Le modèle est vide.")
    else:
        try:
            template_check(text)
        except ValidationError as error:
            errors["text"] = error.messages
    if (
        name
        and AnswerTemplate.objects.filter(body=body, name__iexact=name)
        .exclude(pk=getattr(template, "pk", None))
        .exists()
    ):
        errors["name"] = _("Un modèle de cet organisme porte déjà ce nom.")
    if errors:
        raise ValidationError(errors)
    before = None if template is None else {"name": template.name, "text": template.text}
    template = template or AnswerTemplate(body=body)
    template.name, template.text, template.active = name, text, active
    template.updated_by = actor
    template.full_clean()
    template.save()
    audit_log(
        actor=actor,
        action="frontdoor.answer_template.save",
        target=template,
        before=before,
        after={"name": name, "text": text, "active": active},
    )
    return template
