"""Carry each user's global role onto memberships, so that everyone keeps the access they had.

A user with a home organization holds their role there (an administrator thus still enters
every workspace of it); each workspace membership names the user's role, so that a role held
through a workspace of another organization is kept as well.
"""

from django.db import migrations
from django.db.models import F

ROLE_ORDER = ("administrator", "trainer", "supervisor", "agent", "learner")


def roles_to_memberships(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    OrganizationMembership = apps.get_model("accounts", "OrganizationMembership")
    Membership = apps.get_model("workspaces", "Membership")
    rows = User.objects.exclude(organization=None).values_list("pk", "organization_id", "role")
    OrganizationMembership.objects.bulk_create(
        [
            OrganizationMembership(user_id=pk, organization_id=organization_id, role=role)
            for pk, organization_id, role in rows.iterator()
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    for role in User.objects.values_list("role", flat=True).distinct():
        Membership.objects.filter(user__role=role).update(role=role)


def memberships_to_roles(apps, schema_editor):
    """Back to one role per user: the most powerful one held in the home organization, else
    in a workspace membership, else agent."""
    User = apps.get_model("accounts", "User")
    OrganizationMembership = apps.get_model("accounts", "OrganizationMembership")
    Membership = apps.get_model("workspaces", "Membership")
    at_home: dict[int, set[str]] = {}
    home = OrganizationMembership.objects.filter(organization_id=F("user__organization_id"))
    for user_id, role in home.values_list("user_id", "role"):
        at_home.setdefault(user_id, set()).add(role)
    elsewhere: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.exclude(role=None).values_list("user_id", "role"):
        elsewhere.setdefault(user_id, set()).add(role)
    for user_id in User.objects.values_list("pk", flat=True):
        roles = at_home.get(user_id) or elsewhere.get(user_id) or set()
        role = next((code for code in ROLE_ORDER if code in roles), None)
        role = role or min(roles, default="agent")
        User.objects.filter(pk=user_id).update(role=role)
    Membership.objects.update(role=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organization_membership"),
        ("workspaces", "0002_membership_role"),
    ]

    operations = [migrations.RunPython(roles_to_memberships, memberships_to_roles)]
