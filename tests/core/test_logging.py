"""A refusal is logged on one line; a server error keeps its traceback."""

import io
import logging

import pytest
from django.conf import settings
from django.urls import reverse

from relais.core.logging import OneLineClientErrors


@pytest.fixture
def request_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(OneLineClientErrors())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_the_console_handler_carries_the_filter():
    console = settings.LOGGING["handlers"]["console"]
    assert "one_line_client_errors" in console["filters"]
    assert settings.LOGGING["filters"]["one_line_client_errors"]["()"].endswith(
        "OneLineClientErrors"
    )
    root = logging.getLogger()
    assert any(isinstance(f, OneLineClientErrors) for h in root.handlers for f in h.filters)


@pytest.mark.django_db
def test_a_403_is_one_line(client, agent, request_log):
    client.force_login(agent)
    # A refusal raised by a view (``PermissionDenied``): school databases need training rights.
    response = client.get(reverse("training:school-list"))
    assert response.status_code == 403
    lines = request_log.getvalue().strip().splitlines()
    assert lines and all("Traceback" not in line for line in lines)
    assert lines[-1].startswith("Forbidden (Permission denied): ")


def test_a_server_error_keeps_its_traceback(request_log):
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boum")
    except RuntimeError:
        logger.error("Internal Server Error: /x", exc_info=True, extra={"status_code": 500})
    assert "Traceback" in request_log.getvalue() and "boum" in request_log.getvalue()
