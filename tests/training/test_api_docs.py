"""docs/api.md documents every training endpoint the OpenAPI document lists."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_every_training_endpoint_is_in_the_api_docs(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    training = {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/training/")
        for method in operations
    }
    assert len(training) == 4
    text = API_DOC.read_text(encoding="utf-8")
    section = text.split("### Training")[1].split("\n## ")[0]
    for method, path in training:
        assert re.search(rf"`{method} {re.escape(path)}`", section), (method, path)
        # Each operation's summary, as Swagger UI shows it, names it in the docs too.
        summary = paths[path][method.lower()]["summary"]
        assert f"« {summary} »" in section, summary
