"""The API's browsable docs (/api/docs, Swagger UI served locally) pass axe-core, closed and
with an operation opened as a developer would."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def developer(transactional_db, organization, workspace):
    from relais.core.accounts.roles import Role

    return UserFactory(
        username="dev", role=Role.AGENT, organization=organization, workspaces=[workspace]
    )


def test_api_docs_pass_axe(page, login, developer):
    login(developer)
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Relais API")
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.locator(".opblock-summary-control").first).to_be_visible()
    assert_accessible(page)
    # No link inside an operation's button (a control nested in a control).
    assert page.locator(".opblock-summary-control a[href]").count() == 0
    # An operation opened: its parameters, responses and "Try it out".
    page.locator(".opblock-summary-control").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Try it out").first.click()
    assert_accessible(page)
