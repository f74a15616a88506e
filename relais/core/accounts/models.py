import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.accounts.roles import Role
from relais.core.models import TimeStampedModel


class User(AbstractUser):
    # The home organization: whose branding dresses the user's pages and where what they
    # create outside a workspace (exercises, school bases) belongs. It grants nothing: roles
    # are held on memberships (``OrganizationMembership``, ``workspaces.Membership``).
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation de rattachement"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["username"]

    def has_role_permission(self, permission: str, workspace=None, organization=None) -> bool:
        """Whether a role this user holds grants ``permission``: the role held in ``workspace``
        or in ``organization`` when one is given, else any role the user holds."""
        from relais.core.accounts.permissions import user_has_permission

        return user_has_permission(self, permission, workspace=workspace, organization=organization)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class OrganizationMembership(TimeStampedModel):
    """A role held by a user in an organization; one user may hold several there.

    The role applies in every workspace of the organization the user is a member of (unless
    that workspace membership names its own role); an administrator enters every workspace
    of the organization.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="organization_memberships"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("rôle dans une organisation")
        verbose_name_plural = _("rôles dans les organisations")
        ordering = ["organization", "user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="unique_organization_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.organization})"


class ApiToken(TimeStampedModel):
    """A personal API token. Only its SHA-256 digest is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
