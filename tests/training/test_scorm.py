"""The SCORM 1.2 package: a valid manifest, files that exist, a launcher speaking SCORM 1.2."""

import io
import zipfile
from xml.etree import ElementTree as ET

import pytest
from django.urls import reverse

from relais.training.models import Exercise
from relais.training.scorm import ADLCP, IMSCP, scorm_package
from relais.training.services.exercises import exercise_catalogue_install

pytestmark = pytest.mark.django_db
NS = {"cp": IMSCP, "adlcp": ADLCP}


@pytest.fixture
def package(trainer_client, training_class):
    exercise_catalogue_install()
    url = reverse("training:scorm-package", kwargs={"class_id": training_class.public_id})
    response = trainer_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "scorm-session-de-juin.zip" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_manifest_is_scorm_12(package):
    root = ET.fromstring(package.read("imsmanifest.xml"))  # noqa: S314 - our own output
    assert root.tag == f"{{{IMSCP}}}manifest"
    assert root.find("cp:metadata/cp:schema", NS).text == "ADL SCORM"
    assert root.find("cp:metadata/cp:schemaversion", NS).text == "1.2"
    organizations = root.find("cp:organizations", NS)
    default = organizations.get("default")
    organization = organizations.find(f"cp:organization[@identifier='{default}']", NS)
    assert organization.find("cp:title", NS).text == "Relais — Session de juin"
    items = organization.findall("cp:item", NS)
    assert len(items) == Exercise.objects.count()
    resources = {r.get("identifier"): r for r in root.findall("cp:resources/cp:resource", NS)}
    names = set(package.namelist())
    for item in items:
        resource = resources[item.get("identifierref")]
        assert resource.get(f"{{{ADLCP}}}scormtype") == "sco"
        assert resource.get("type") == "webcontent"
        assert resource.get("href") in names
        for file in resource.findall("cp:file", NS):
            assert file.get("href") in names
        for dependency in resource.findall("cp:dependency", NS):
            common = resources[dependency.get("identifierref")]
            assert all(f.get("href") in names for f in common.findall("cp:file", NS))
    titles = [item.find("cp:title", NS).text for item in items]
    assert "Planifier un rendez-vous" in titles


def test_launcher_uses_scorm_12_calls_and_postmessage(package):
    script = package.read("relais-scorm.js").decode()
    for call in (
        "LMSInitialize",
        "LMSSetValue",
        "LMSGetValue",
        "LMSCommit",
        "LMSFinish",
        "cmi.core.score.raw",
        "cmi.core.score.min",
        "cmi.core.score.max",
        "cmi.core.lesson_status",
        '"passed"',
        '"failed"',
        '"incomplete"',
        "win.parent",
        "window.opener",
        "relais-score",
        "window.open(",
        "event.origin !== relaisOrigin",
        # The exercise page learns the LMS origin, to post the score there and nowhere else.
        '"lms=" + encodeURIComponent(window.location.origin)',
    ):
        assert call in script, call
    assert "<iframe" not in script


def test_launch_page_opens_the_absolute_exercise_url(package, training_class):
    exercise = Exercise.objects.get(code="planifier-rendez-vous")
    page_name = next(n for n in package.namelist() if n.endswith("planifier-rendez-vous.html"))
    page = package.read(page_name).decode()
    expected = f"http://testserver/formation/exercices/{exercise.public_id}/"
    assert f'data-url="{expected}"' in page
    assert 'data-origin="http://testserver"' in page
    assert 'src="../relais-scorm.js"' in page
    assert 'lang="fr"' in page and "<iframe" not in page


def test_titles_are_escaped():
    content = scorm_package(
        title="<Session & co>",
        exercises=[("x", '<script>alert("x")</script>', "https://relais.example/e/1/")],
    )
    archive = zipfile.ZipFile(io.BytesIO(content))
    page = archive.read("sco/01-x.html").decode()
    assert "<script>alert" not in page
    root = ET.fromstring(archive.read("imsmanifest.xml"))  # noqa: S314 - our own output
    assert root.find("cp:organizations/cp:organization/cp:title", NS).text == "<Session & co>"


def test_exercise_page_posts_the_score_to_its_opener(learner_client, enrollment):
    exercise_catalogue_install()
    exercise = Exercise.objects.get(code="creer-fiche-client")
    url = reverse("training:exercise-check", kwargs={"exercise_id": exercise.public_id})
    html = learner_client.post(url).content.decode()
    assert "window.opener.postMessage" in html
    assert 'type: "relais-score"' in html


def test_scorm_package_forbidden_to_learners(learner_client, training_class):
    url = reverse("training:scorm-package", kwargs={"class_id": training_class.public_id})
    assert learner_client.get(url).status_code in (403, 404)


# The opener policy: relaxed for the window an LMS launched, and nowhere else.

COOP = "Cross-Origin-Opener-Policy"
LMS = "http://127.0.0.1:8001"


def _exercise_url(code, name="exercise-detail"):
    exercise = Exercise.objects.get(code=code)
    return reverse(f"training:{name}", kwargs={"exercise_id": exercise.public_id})


def test_the_site_keeps_same_origin_without_a_launch(learner_client, enrollment):
    exercise_catalogue_install()
    assert learner_client.get(_exercise_url("creer-fiche-client"))[COOP] == "same-origin"
    assert learner_client.get(reverse("crm:customer-list"))[COOP] == "same-origin"


def test_a_launched_learner_window_keeps_its_opener_on_every_page(learner_client, enrollment):
    exercise_catalogue_install()
    url = _exercise_url("creer-fiche-client")
    response = learner_client.get(url, {"lms": LMS})
    assert response[COOP] == "unsafe-none"
    # The learner does the work in the CRM, in the same window: the opener must survive it.
    assert learner_client.get(reverse("crm:customer-list"))[COOP] == "unsafe-none"
    learner_client.post(_exercise_url("creer-fiche-client", "exercise-start"))
    response = learner_client.post(_exercise_url("creer-fiche-client", "exercise-check"))
    assert response[COOP] == "unsafe-none"
    assert f'data-lms-origin="{LMS}"' in response.content.decode()


def test_an_anonymous_launch_keeps_the_opener_through_the_login(client, learner, password):
    exercise_catalogue_install()
    url = _exercise_url("creer-fiche-client")
    response = client.get(url, {"lms": LMS})
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]
    assert response[COOP] == "unsafe-none"
    login_page = client.get(response["Location"])
    assert login_page[COOP] == "unsafe-none"
    client.post(response["Location"], {"username": learner.username, "password": password})
    page = client.get(url)
    assert page.status_code == 200 and page[COOP] == "unsafe-none"
    assert (
        f'data-lms-origin="{LMS}"'
        in client.post(_exercise_url("creer-fiche-client", "exercise-check")).content.decode()
    )


def test_a_trainer_never_loses_the_isolation(trainer_client, training_class):
    exercise_catalogue_install()
    response = trainer_client.get(_exercise_url("creer-fiche-client"), {"lms": LMS})
    assert response[COOP] == "same-origin"


@pytest.mark.parametrize("given", ["null", "https://lms.example.fr/path", "javascript:x"])
def test_an_invalid_lms_origin_relaxes_nothing(learner_client, enrollment, given):
    exercise_catalogue_install()
    url = _exercise_url("creer-fiche-client")
    learner_client.get(url, {"lms": LMS})
    response = learner_client.get(url, {"lms": given})
    assert response[COOP] == "same-origin"
    assert learner_client.get(reverse("crm:customer-list"))[COOP] == "same-origin"


def test_only_the_configured_lms_origins_may_launch(settings, learner_client, enrollment):
    settings.RELAIS_LMS_ORIGINS = ["https://lms.cfa.fr"]
    exercise_catalogue_install()
    url = _exercise_url("creer-fiche-client")
    assert learner_client.get(url, {"lms": "https://other.example.fr"})[COOP] == "same-origin"
    assert learner_client.get(url, {"lms": "https://lms.cfa.fr"})[COOP] == "unsafe-none"


def test_a_launch_link_on_another_page_relaxes_nothing(learner_client, enrollment):
    assert learner_client.get(reverse("crm:customer-list"), {"lms": LMS})[COOP] == "same-origin"
