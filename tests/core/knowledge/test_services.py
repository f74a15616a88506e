import datetime

import pytest
from django.core.exceptions import ValidationError

from relais.core.accounts.roles import Role
from relais.core.audit.models import AuditEntry
from relais.core.exceptions import AccessDenied, NotFound
from relais.core.knowledge.models import Entry, text_hash
from relais.core.knowledge.permissions import Permission
from relais.core.knowledge.rendering import render_answer
from relais.core.knowledge.services import (
    entry_archive,
    entry_create,
    entry_publish,
    entry_retract,
    entry_update,
)
from tests.factories import UserFactory, WorkspaceFactory


def test_create_is_a_draft_owned_by_the_organization(agent, organization):
    entry = entry_create(
        user=agent,
        organization=organization,
        question="  Comment déclarer un accident du travail ?  ",
        answer="Dans les **48 heures**.",
        tags="accident, déclaration",
        source_text="Code de la sécurité sociale, art. L441-2",
        source_url="https://www.legifrance.gouv.fr/",
    )
    assert entry.status == Entry.Status.DRAFT
    assert entry.question == "Comment déclarer un accident du travail ?"
    assert entry.created_by == agent and entry.text_hash == "" and entry.validated_by is None
    assert entry.tag_list == ["accident", "déclaration"]
    assert AuditEntry.objects.filter(action="knowledge.entry.create").count() == 1


def test_create_refuses_an_empty_question_in_french(agent, organization):
    with pytest.raises(ValidationError) as error:
        entry_create(user=agent, organization=organization, question=" ", answer="Oui.")
    assert "question" in error.value.message_dict


def test_publish_records_validator_date_and_hash(supervisor, make_entry, fixed_clock):
    entry = make_entry("Quel délai ?", "Trente   jours.\r\n")
    assert entry.status == Entry.Status.VALIDATED
    assert entry.validated_by == supervisor
    assert entry.validated_at is not None
    assert entry.text_hash == text_hash("Quel délai ?", "Trente jours.")


def test_publish_needs_the_validate_permission(agent, organization):
    assert not agent.has_role_permission(Permission.KNOWLEDGE_VALIDATE)
    entry = entry_create(user=agent, organization=organization, question="Q ?", answer="R.")
    with pytest.raises(AccessDenied):
        entry_publish(user=agent, entry=entry)
    entry.refresh_from_db()
    assert entry.status == Entry.Status.DRAFT


def test_editing_a_validated_text_suspends_it_and_keeps_the_validation(
    agent, supervisor, make_entry
):
    entry = make_entry("Quel délai ?", "Trente jours.")
    validated_at, old_hash = entry.validated_at, entry.text_hash
    entry = entry_update(user=agent, entry=entry, answer="Quarante-cinq jours.")
    assert entry.status == Entry.Status.SUSPENDED
    assert "modifié" in entry.status_reason
    assert entry.validated_by == supervisor and entry.validated_at == validated_at
    assert entry.text_hash == old_hash
    audit = AuditEntry.objects.filter(action="knowledge.entry.update").get()
    assert audit.before["status"] == "validated" and audit.after["status"] == "suspended"
    entry = entry_publish(user=supervisor, entry=entry)
    assert entry.status == Entry.Status.VALIDATED and entry.text_hash != old_hash


def test_editing_metadata_or_whitespace_keeps_the_validation(agent, make_entry):
    entry = make_entry("Quel délai ?", "Trente jours.")
    entry = entry_update(
        user=agent, entry=entry, answer="Trente  jours.", review_date=datetime.date(2026, 1, 1)
    )
    entry = entry_update(user=agent, entry=entry, tags="délai")
    assert entry.status == Entry.Status.VALIDATED


def test_update_refuses_unknown_fields(agent, make_entry):
    entry = make_entry("Q ?", "R.")
    with pytest.raises(TypeError):
        entry_update(user=agent, entry=entry, status="validated")


def test_retract_and_archive_need_a_reason(supervisor, make_entry):
    entry = make_entry("Q ?", "R.")
    with pytest.raises(ValidationError) as error:
        entry_retract(user=supervisor, entry=entry, reason="  ")
    assert "reason" in error.value.message_dict
    entry = entry_retract(user=supervisor, entry=entry, reason="Réglementation changée")
    assert (
        entry.status == Entry.Status.SUSPENDED and entry.status_reason == "Réglementation changée"
    )
    entry = entry_archive(user=supervisor, entry=entry, reason="Dispositif supprimé")
    assert entry.status == Entry.Status.ARCHIVED
    with pytest.raises(ValidationError):
        entry_publish(user=supervisor, entry=entry)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"knowledge.entry.retract", "knowledge.entry.archive"} <= actions


def test_agent_may_not_retract(agent, make_entry):
    entry = make_entry("Q ?", "R.")
    with pytest.raises(AccessDenied):
        entry_retract(user=agent, entry=entry, reason="Non")


def test_other_organization_is_refused_everywhere(other_agent, organization, make_entry):
    entry = make_entry("Q ?", "R.")
    boss = UserFactory(role=Role.SUPERVISOR, organization=other_agent.organization)
    with pytest.raises(NotFound):
        entry_create(user=other_agent, organization=organization, question="Q ?", answer="R.")
    with pytest.raises(NotFound):
        entry_update(user=other_agent, entry=entry, answer="Piraté")
    with pytest.raises(NotFound):
        entry_publish(user=boss, entry=entry)
    with pytest.raises(NotFound):
        entry_retract(user=boss, entry=entry, reason="Piraté")
    entry.refresh_from_db()
    assert entry.answer == "R." and entry.status == Entry.Status.VALIDATED


def test_workspace_must_belong_to_the_organization_and_be_enterable(
    agent, organization, other_workspace
):
    with pytest.raises(NotFound):
        entry_create(
            user=agent,
            organization=organization,
            workspace=other_workspace,
            question="Q",
            answer="R",
        )
    closed = WorkspaceFactory(organization=organization)  # same body, agent is not a member
    with pytest.raises(NotFound):
        entry_create(
            user=agent, organization=organization, workspace=closed, question="Q", answer="R"
        )


def test_anonymous_is_refused(organization):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AccessDenied):
        entry_create(user=AnonymousUser(), organization=organization, question="Q", answer="R")


def test_answer_html_is_escaped_and_dangerous_links_dropped(make_entry):
    entry = make_entry(
        "XSS ?",
        "<script>alert(1)</script> <img src=x onerror=alert(2)> **gras** "
        "[clic](javascript:alert(3)) [ok](https://www.urssaf.fr)",
    )
    html = render_answer(entry)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html  # refused: left as plain text
    assert "<strong>gras</strong>" in html and 'href="https://www.urssaf.fr"' in html
    entry.answer_format = Entry.Format.PLAIN
    entry.answer = "<b>x</b>\nligne 2"
    plain = render_answer(entry)
    assert "&lt;b&gt;x&lt;/b&gt;<br>ligne 2" in plain
