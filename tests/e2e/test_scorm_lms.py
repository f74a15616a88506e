"""The class's SCORM 1.2 package, run by an LMS on another origin, gets the learner's score.

The LMS side is a small but honest SCORM 1.2 runtime written here (``window.API`` with
LMSInitialize, LMSGetValue, LMSSetValue, LMSCommit, LMSFinish and the error calls; it keeps
the data model values, refuses unknown elements and out-of-vocabulary statuses, and keeps what
was committed apart). It is served with the extracted package by a second HTTP server on
127.0.0.1, while Relais runs on ``localhost``: two origins, as an LMS and Relais in real life.
The package opens the exercise in a new window; the learner logs in there, does the work in
the CRM, checks it, and the score must reach the LMS through ``window.opener``.
"""

import datetime
import functools
import http.server
import io
import threading
import zipfile

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from relais.core.accounts.roles import Role
from relais.core.workspaces.models import WorkspaceKind
from relais.crm.demo import generate_customers
from relais.training.models import Enrollment, TrainingClass
from relais.training.services.exercises import exercise_catalogue_install
from tests.factories import OrganizationFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.e2e

PLAYER = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>LMS de test</title></head>
<body>
<h1>LMS de test</h1>
<iframe id="sco" title="Contenu" src="{sco}" style="width: 100%; height: 30rem"></iframe>
<script>
(function () {{
  "use strict";
  var STATUSES = ["passed", "completed", "failed", "incomplete", "browsed", "not attempted"];
  var WRITABLE = ["cmi.core.lesson_status", "cmi.core.score.raw", "cmi.core.score.min",
                  "cmi.core.score.max", "cmi.core.exit", "cmi.core.session_time",
                  "cmi.suspend_data", "cmi.core.lesson_location"];
  var values = {{
    "cmi.core.student_id": "eleve", "cmi.core.student_name": "Élève, Test",
    "cmi.core.lesson_status": "not attempted", "cmi.core.score.raw": "",
    "cmi.core.score.min": "", "cmi.core.score.max": "", "cmi.core.credit": "credit",
    "cmi.core.entry": "ab-initio", "cmi.core.lesson_mode": "normal"
  }};
  var state = "not initialized", lastError = "0";
  window.lms = {{ committed: {{}}, calls: [] }};
  function fail(code) {{ lastError = code; return "false"; }}
  function ok() {{ lastError = "0"; return "true"; }}
  window.API = {{
    LMSInitialize: function (arg) {{
      window.lms.calls.push("LMSInitialize");
      if (arg !== "") {{ return fail("201"); }}
      if (state !== "not initialized") {{ return fail("101"); }}
      state = "running"; return ok();
    }},
    LMSGetValue: function (name) {{
      if (state !== "running") {{ fail("301"); return ""; }}
      if (!(name in values)) {{ fail("401"); return ""; }}
      lastError = "0"; return values[name];
    }},
    LMSSetValue: function (name, value) {{
      window.lms.calls.push("LMSSetValue " + name + "=" + value);
      if (state !== "running") {{ return fail("301"); }}
      if (WRITABLE.indexOf(name) === -1) {{ return fail(name in values ? "403" : "401"); }}
      value = String(value);
      if (name === "cmi.core.lesson_status" && (STATUSES.indexOf(value) === -1
          || value === "not attempted")) {{ return fail("405"); }}
      if (name.indexOf("cmi.core.score.") === 0 && value !== ""
          && !(/^-?[0-9]+(\\.[0-9]+)?$/.test(value) && Number(value) >= 0
               && Number(value) <= 100)) {{ return fail("405"); }}
      values[name] = value; return ok();
    }},
    LMSCommit: function (arg) {{
      window.lms.calls.push("LMSCommit");
      if (arg !== "") {{ return fail("201"); }}
      if (state !== "running") {{ return fail("301"); }}
      window.lms.committed = JSON.parse(JSON.stringify(values)); return ok();
    }},
    LMSFinish: function (arg) {{
      window.lms.calls.push("LMSFinish");
      if (arg !== "") {{ return fail("201"); }}
      if (state !== "running") {{ return fail("301"); }}
      window.lms.committed = JSON.parse(JSON.stringify(values));
      state = "terminated"; return ok();
    }},
    LMSGetLastError: function () {{ return lastError; }},
    LMSGetErrorString: function (code) {{ return "SCORM 1.2 error " + code; }},
    LMSGetDiagnostic: function (code) {{ return ""; }}
  }};
}}());
</script>
</body></html>
"""


@pytest.fixture
def classroom(transactional_db):
    today = datetime.date.today()
    organization = OrganizationFactory(name="CFA Auto", slug="cfa-auto")
    trainer = UserFactory(username="formatrice", role=Role.TRAINER, organization=organization)
    template = WorkspaceFactory(
        organization=organization, name="Base école", kind=WorkspaceKind.TEMPLATE
    )
    training_class = TrainingClass.objects.create(
        organization=organization, name="Session LMS", template=template, trainer=trainer
    )
    sandbox = WorkspaceFactory(
        organization=organization, name="Ma base", kind=WorkspaceKind.SANDBOX, template=template
    )
    learner = UserFactory(
        username="eleve", role=Role.LEARNER, organization=organization, workspaces=[sandbox]
    )
    generate_customers(workspace=sandbox, count=5, seed=4, today=today, owner=learner)
    Enrollment.objects.create(
        training_class=training_class, learner=learner, sandbox=sandbox, materialised_for=today
    )
    exercise_catalogue_install()
    return trainer, learner, training_class


@pytest.fixture
def lms_server(tmp_path):
    """A second web server on 127.0.0.1 (Relais's live server answers on localhost)."""
    root = tmp_path / "lms"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_score_reaches_an_lms_on_another_origin(
    browser, page, login, live_server, classroom, lms_server, password
):
    trainer, learner, training_class = classroom
    root, lms_origin = lms_server
    assert not live_server.url.startswith(lms_origin)

    # The trainer downloads the class's package from Relais, the LMS administrator deposits it.
    login(trainer)
    url = reverse("training:scorm-package", kwargs={"class_id": training_class.public_id})
    download = page.request.get(url)
    assert download.ok and download.headers["content-type"] == "application/zip"
    package = zipfile.ZipFile(io.BytesIO(download.body()))
    package.extractall(root / "paquet")
    sco = next(n for n in package.namelist() if n.endswith("-creer-fiche-client.html"))
    (root / "lecteur.html").write_text(PLAYER.format(sco=f"paquet/{sco}"), encoding="utf-8")

    # The learner, not logged in to Relais, opens the course in the LMS.
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    try:
        lms = context.new_page()
        with context.expect_page() as popup_info:
            lms.goto(f"{lms_origin}/lecteur.html")
        relais = popup_info.value
        relais.wait_for_load_state()
        assert relais.url.startswith(live_server.url)
        lms.wait_for_function("window.lms.calls.indexOf('LMSInitialize') !== -1")
        assert lms.evaluate("window.API.LMSGetValue('cmi.core.lesson_status')") == "incomplete"

        # In the exercise window: log in, start, do the work in the CRM, check it.
        relais.get_by_label("Identifiant").fill(learner.username)
        relais.get_by_label("Mot de passe").fill(password)
        relais.get_by_role("button", name="Se connecter").click()
        expect(relais.get_by_role("heading", level=1)).to_have_text("Créer une fiche client")
        exercise_url = relais.url.split("?")[0]
        relais.get_by_role("button", name="Commencer l'exercice").click()
        relais.goto(f"{live_server.url}/crm/clients/")
        relais.get_by_role("link", name="Nouveau particulier").first.click()
        relais.locator("#id_last_name").fill("Lambert")
        relais.get_by_label("Prénom").fill("Sophie")
        relais.get_by_label("E-mail", exact=True).fill("sophie.lambert@example.fr")
        relais.get_by_role("button", name="Créer la fiche").click()
        expect(relais.get_by_role("heading", level=1)).to_contain_text("Sophie LAMBERT")
        relais.goto(exercise_url)
        relais.get_by_role("button", name="Vérifier mon travail").click()
        expect(relais.locator("#relais-result")).to_contain_text("Score : 3 / 5")
        assert relais.evaluate("window.opener !== null")

        # The LMS has the score and the status, committed.
        lms.wait_for_function("window.lms.committed['cmi.core.score.raw'] === '3'")
        committed = lms.evaluate("window.lms.committed")
        assert committed["cmi.core.score.raw"] == "3"
        assert committed["cmi.core.score.max"] == "5"
        assert committed["cmi.core.score.min"] == "0"
        assert committed["cmi.core.lesson_status"] == "failed"
        sco_frame = lms.frame_locator("#sco")
        expect(sco_frame.locator("#relais-status")).to_contain_text("Score reçu : 3 / 5")

        # The learner ends the attempt: LMSFinish, nothing set after it.
        sco_frame.get_by_role("button", name="Terminer").click()
        lms.wait_for_function("window.lms.calls.indexOf('LMSFinish') !== -1")
        assert lms.evaluate("window.lms.committed['cmi.core.lesson_status']") == "failed"
    finally:
        context.close()
