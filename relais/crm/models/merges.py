"""De-duplication: candidate pairs awaiting review, merges (undoable) and cleaning batches."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from relais.core.workspaces.models import WorkspaceScopedModel


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("À examiner")
    DISMISSED = "dismissed", _("Pas des doublons")


class DuplicateCandidate(WorkspaceScopedModel):
    """A pair of customers the duplicate search proposed, with its score and explanation.

    ``customer_a`` has the smaller primary key, so a pair is stored once whatever the order
    the engine gave. A dismissed pair ("not a duplicate") is kept so that the next search
    does not propose it again.
    """

    customer_a = models.ForeignKey(
        "crm.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("fiche A")
    )
    customer_b = models.ForeignKey(
        "crm.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("fiche B")
    )
    score = models.FloatField(_("score"))
    sure = models.BooleanField(_("doublon sûr"), default=False)
    swapped_names = models.BooleanField(_("nom et prénom inversés"), default=False)
    # One dict per field: field, label, value_a, value_b, similarity, level, weight.
    explanation = models.JSONField(_("explication"), default=list, encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("état"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("doublon potentiel")
        verbose_name_plural = _("doublons potentiels")
        ordering = ["-score", "id"]
        indexes = [models.Index(fields=["workspace", "status", "-score"])]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_a", "customer_b"], name="duplicate_candidate_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(customer_a__lt=F("customer_b")),
                name="duplicate_candidate_ordered_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_a_id} ~ {self.customer_b_id} ({self.score:.2f})"


class CustomerMerge(WorkspaceScopedModel):
    """One customer absorbed into another. ``snapshot`` holds everything needed to undo it:
    the absorbed customer and its person or company as they were, the survivor's values
    that the merge overwrote, and the ids of every row moved from one to the other."""

    survivor = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("fiche conservée"),
        on_delete=models.CASCADE,
        related_name="merges_absorbed",
    )
    absorbed_public_id = models.UUIDField(_("identifiant de la fiche absorbée"), db_index=True)
    # The hidden true identity of the absorbed record (school databases): graders compare it
    # with the survivor's to score a learner's merges.
    absorbed_identity_key = models.CharField(max_length=32, blank=True, editable=False)
    absorbed_name = models.CharField(_("fiche absorbée"), max_length=220, blank=True)
    snapshot = models.JSONField(_("copie pour annulation"), default=dict, encoder=DjangoJSONEncoder)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("fusion de fiches")
        verbose_name_plural = _("fusions de fiches")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.absorbed_name} → {self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class CleaningBatch(WorkspaceScopedModel):
    """One application of bulk cleaning: the operations chosen and every value changed
    (before and after), so that the whole batch can be undone."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    operations = models.JSONField(_("opérations"), default=list)
    changes = models.JSONField(_("modifications"), default=list, encoder=DjangoJSONEncoder)
    change_count = models.PositiveIntegerField(_("valeurs modifiées"), default=0)
    undone_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("nettoyage de la base")
        verbose_name_plural = _("nettoyages de la base")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.change_count} ({self.created_at:%Y-%m-%d})"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
