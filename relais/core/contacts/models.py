"""The one customer view: people and companies, shared by every module."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.contacts import validators as v
from relais.core.models import SafeTextMixin, TimeStampedModel
from relais.core.workspaces.models import WorkspaceScopedModel


class Civility(models.TextChoices):
    MR = "M", _("M.")
    MRS = "MME", _("Mme")


class ConsentChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Téléphone")
    EMAIL = "email", _("E-mail")
    MAIL = "mail", _("Courrier")


class ContactDetails(SafeTextMixin, models.Model):
    """Postal address, phones, e-mail and marketing consent per channel."""

    street = models.CharField(_("rue"), max_length=200, blank=True)
    address_complement = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("code postal"), max_length=5, blank=True, validators=[v.validate_postal_code]
    )
    city = models.CharField(_("ville"), max_length=100, blank=True)
    phone_landline = models.CharField(
        _("téléphone fixe"), max_length=20, blank=True, validators=[v.validate_phone]
    )
    phone_mobile = models.CharField(
        _("téléphone portable"), max_length=20, blank=True, validators=[v.validate_mobile]
    )
    email = models.EmailField(
        _("e-mail"),
        max_length=254,
        blank=True,
        validators=[
            EmailValidator(_("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."))
        ],
    )
    consent_sms = models.BooleanField(_("accepte les SMS"), default=False)
    consent_phone = models.BooleanField(_("accepte le démarchage téléphonique"), default=False)
    consent_email = models.BooleanField(_("accepte les e-mails"), default=False)
    consent_mail = models.BooleanField(_("accepte les courriers"), default=False)
    consent_updated_at = models.DateTimeField(
        _("consentements mis à jour le"), null=True, blank=True
    )

    CONSENT_FIELDS = {
        ConsentChannel.SMS: "consent_sms",
        ConsentChannel.PHONE: "consent_phone",
        ConsentChannel.EMAIL: "consent_email",
        ConsentChannel.MAIL: "consent_mail",
    }

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            # EmailField runs Django's own e-mail validator before ours: show one message.
            errors = exc.message_dict
            if len(errors.get("email", [])) > 1:
                errors["email"] = [m for m in errors["email"] if m != str(validate_email.message)]
            raise ValidationError(errors) from exc

    def clean_contact_details(self) -> None:
        """Normalise phones and check that the city belongs to the postcode."""
        errors: dict[str, list] = {}
        for field in ("phone_landline", "phone_mobile"):
            value = getattr(self, field)
            if value:
                try:
                    setattr(self, field, v.normalize_phone(value))
                except ValidationError as exc:
                    errors.setdefault(field, []).extend(exc.messages)
        if self.email:
            self.email = self.email.strip()
        if self.city:
            self.city = self.city.strip()
        if self.postal_code and not self.city:
            errors.setdefault("city", []).append(_("Indiquez la ville de ce code postal."))
        try:
            v.validate_city_for_postal_code(self.postal_code, self.city)
        except ValidationError as exc:
            errors.setdefault("city", []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)

    def consents(self) -> list[str]:
        return [channel for channel, field in self.CONSENT_FIELDS.items() if getattr(self, field)]


class Person(WorkspaceScopedModel, ContactDetails):
    civility = models.CharField(_("civilité"), max_length=3, choices=Civility.choices, blank=True)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    profession = models.CharField(_("profession"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["workspace", "last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def age(self, today: date | None = None) -> int | None:
        if not self.birth_date:
            return None
        today = today or timezone.localdate()
        had_birthday = (today.month, today.day) >= (self.birth_date.month, self.birth_date.day)
        return today.year - self.birth_date.year - (0 if had_birthday else 1)

    def clean(self) -> None:
        errors = {}
        self.first_name = self.first_name.strip()
        self.last_name = self.last_name.strip()
        if self.birth_date:
            age = self.age()
            if self.birth_date > timezone.localdate():
                errors["birth_date"] = _("La date de naissance ne peut pas être dans le futur.")
            elif age is not None and age > 120:
                errors["birth_date"] = _("Une date de naissance de plus de 120 ans est improbable.")
        try:
            self.clean_contact_details()
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)


class CompanyType(models.TextChoices):
    EI = "EI", _("Entreprise individuelle")
    EURL = "EURL", _("EURL")
    SARL = "SARL", _("SARL")
    SAS = "SAS", _("SAS")
    SASU = "SASU", _("SASU")
    SA = "SA", _("SA")
    SNC = "SNC", _("SNC")
    SCI = "SCI", _("SCI")
    ASSOCIATION = "ASSO", _("Association")
    PUBLIC = "PUBLIC", _("Établissement public / collectivité")
    OTHER = "AUTRE", _("Autre")


class FleetSize(models.TextChoices):
    SMALL = "1-4", _("1 à 4 véhicules")
    MEDIUM = "5-10", _("5 à 10 véhicules")
    LARGE = "11-25", _("11 à 25 véhicules")
    FLEET = "25+", _("Plus de 25 véhicules")


class Company(WorkspaceScopedModel, ContactDetails):
    legal_name = models.CharField(_("raison sociale"), max_length=200)
    trade_name = models.CharField(_("nom commercial"), max_length=200, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[v.validate_siren])
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[v.validate_siret])
    naf_code = models.CharField(
        _("code NAF"), max_length=6, blank=True, validators=[v.validate_naf]
    )
    company_type = models.CharField(
        _("type d'entreprise"), max_length=6, choices=CompanyType.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("société mère"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subsidiaries",
    )
    fleet_size = models.CharField(
        _("nombre de véhicules"), max_length=5, choices=FleetSize.choices, blank=True
    )

    class Meta:
        verbose_name = _("société")
        verbose_name_plural = _("sociétés")
        ordering = ["legal_name", "id"]
        indexes = [models.Index(fields=["workspace", "legal_name"])]

    def __str__(self) -> str:
        return self.trade_name or self.legal_name

    def clean_fields(self, exclude=None) -> None:
        # SIREN and SIRET are usually written in groups ("732 829 320"): compact them
        # before the length check of the field.
        self.siren = "".join(self.siren.split())
        self.siret = "".join(self.siret.split())
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors: dict = {}
        self.legal_name = self.legal_name.strip()
        self.siren = "".join(self.siren.split())
        self.siret = "".join(self.siret.split())
        if self.siret and not self.siren and len(self.siret) == 14:
            self.siren = self.siret[:9]
        if self.siren and self.siret and not self.siret.startswith(self.siren):
            errors["siret"] = _(
                "Le SIRET doit commencer par le SIREN de la société (%(siren)s)."
            ) % {"siren": self.siren}
        if self.naf_code:
            try:
                self.naf_code = v.normalize_naf(self.naf_code)
            except ValidationError as exc:
                errors["naf_code"] = exc.messages
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = _("Une société ne peut pas être sa propre société mère.")
        elif self.parent_id and self.pk and self._parent_chain_reaches_self():
            errors["parent"] = _(
                "Cette société mère est elle-même une filiale de la société : "
                "une société ne peut pas être sa propre société mère, même indirectement."
            )
        if self.parent_id and self.parent.workspace_id != self.workspace_id:
            errors["parent"] = _("La société mère doit appartenir au même espace de travail.")
        try:
            self.clean_contact_details()
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)

    def _parent_chain_reaches_self(self) -> bool:
        """True when following the parents from the chosen one leads back to this company."""
        seen: set[int] = set()
        current = self.parent
        while current is not None and current.pk not in seen:
            if current.pk == self.pk:
                return True
            seen.add(current.pk)
            current = current.parent
        return False


class CompanyContact(TimeStampedModel):
    """A person to reach at a company, with their role there."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="company_roles")
    role = models.CharField(_("fonction"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("contact de société")
        verbose_name_plural = _("contacts de société")
        ordering = ["company", "person__last_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "person"], name="unique_company_contact")
        ]
