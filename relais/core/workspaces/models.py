from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.accounts.roles import Role
from relais.core.models import PublicIdModel, TimeStampedModel


class WorkspaceKind(models.TextChoices):
    LIVE = "live", _("Production")
    TEMPLATE = "template", _("Base école (modèle)")
    SANDBOX = "sandbox", _("Bac à sable d'apprenant")


class Workspace(PublicIdModel):
    """A sealed set of records. Every contact, interaction and CRM row carries one."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="workspaces",
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=10, choices=WorkspaceKind.choices, default=WorkspaceKind.LIVE
    )
    template = models.ForeignKey(
        "self",
        verbose_name=_("modèle d'origine"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sandboxes",
    )

    class Meta:
        verbose_name = _("espace de travail")
        verbose_name_plural = _("espaces de travail")
        ordering = ["organization__name", "name"]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """Who may enter which workspace, and with which role.

    An empty role means the roles held in the workspace's organization. Administrators of an
    organization enter every workspace of it without a membership.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("rôle"),
        max_length=20,
        choices=Role.choices,
        blank=True,
        null=True,
        help_text=_("Laissé vide : le rôle tenu dans l'organisation de l'espace."),
    )

    class Meta:
        verbose_name = _("accès à un espace")
        verbose_name_plural = _("accès aux espaces")
        ordering = ["workspace", "user"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="unique_membership")
        ]


class WorkspaceScopedQuerySet(models.QuerySet):
    def in_workspace(self, workspace: Workspace) -> "WorkspaceScopedQuerySet":
        return self.filter(workspace=workspace)


class WorkspaceScopedManager(models.Manager.from_queryset(WorkspaceScopedQuerySet)):
    """The default manager of workspace-scoped models.

    ``Model.objects.all()`` still works for migrations and maintenance jobs, but selectors
    go through ``in_workspace(...)``; the test suite checks that every list a user can reach
    is scoped.
    """


class WorkspaceScopedModel(PublicIdModel):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("espace de travail")
    )

    objects = WorkspaceScopedManager()

    class Meta:
        abstract = True
