"""SCORM 1.2 package of a class's exercises: one SCO per exercise.

Relais refuses to be framed (``X-Frame-Options: DENY``), so each SCO is a small launch page
that finds the LMS API, opens the exercise of the Relais server in a new window, receives the
score that the exercise page posts back (``postMessage``) and reports it to the LMS.
"""

import io
import re
import zipfile
from html import escape
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (
    f"{IMSCP} imscp_rootv1p1p2.xsd "
    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
    f"{ADLCP} adlcp_rootv1p2.xsd"
)
SCRIPT = "relais-scorm.js"

LAUNCH_JS = r"""/* Relais — SCORM 1.2 launcher. Finds the LMS API, opens the exercise in a new window
   (Relais cannot be framed), and reports the score the exercise page posts back. */
(function () {
  "use strict";
  var config = document.getElementById("relais-sco").dataset;
  var relaisOrigin = config.origin;
  var api = null;
  var finished = false;
  var best = null;
  var status = document.getElementById("relais-status");

  function say(text) { status.textContent = text; }

  function findAPI(win) {
    var tries = 0;
    while (win && !win.API && win.parent && win.parent !== win && tries < 10) {
      tries += 1;
      win = win.parent;
    }
    return win && win.API ? win.API : null;
  }

  function getAPI() {
    var found = findAPI(window);
    if (!found && window.opener) { found = findAPI(window.opener); }
    if (!found && window.top && window.top.opener) { found = findAPI(window.top.opener); }
    return found;
  }

  function start() {
    api = getAPI();
    if (!api) {
      say("Plateforme de formation introuvable : le score ne sera pas transmis.");
      return;
    }
    api.LMSInitialize("");
    var lessonStatus = api.LMSGetValue("cmi.core.lesson_status");
    if (lessonStatus === "not attempted" || lessonStatus === "") {
      api.LMSSetValue("cmi.core.lesson_status", "incomplete");
    }
    api.LMSCommit("");
  }

  function report(data) {
    var score = Number(data.score), max = Number(data.max);
    if (!isFinite(score) || !isFinite(max) || max <= 0) { return; }
    if (best !== null && score < best.score && !data.passed) { return; }
    best = { score: score, max: max, passed: !!data.passed };
    say("Score reçu : " + score + " / " + max + (data.passed ? " — exercice réussi." : "."));
    if (!api) { return; }
    api.LMSSetValue("cmi.core.score.min", "0");
    api.LMSSetValue("cmi.core.score.max", String(max));
    api.LMSSetValue("cmi.core.score.raw", String(score));
    api.LMSSetValue("cmi.core.lesson_status", data.passed ? "passed" : "failed");
    api.LMSCommit("");
  }

  function finish() {
    if (finished || !api) { return; }
    finished = true;
    api.LMSCommit("");
    api.LMSFinish("");
  }

  function open() {
    // The exercise page posts the score to this origin only, never to "*".
    var separator = config.url.indexOf("?") === -1 ? "?" : "&";
    var url = config.url + separator + "lms=" + encodeURIComponent(window.location.origin);
    var win = window.open(url, "relais-exercice");
    if (!win) {
      say("Votre navigateur a bloqué la fenêtre : cliquez sur « Ouvrir l'exercice ».");
    } else {
      say("L'exercice est ouvert dans une autre fenêtre. Cliquez sur « Vérifier mon travail » : le score apparaîtra ici.");
    }
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== relaisOrigin) { return; }
    var data = event.data;
    if (data && data.type === "relais-score") { report(data); }
  });
  window.addEventListener("beforeunload", finish);
  window.addEventListener("unload", finish);
  document.getElementById("relais-open").addEventListener("click", open);
  document.getElementById("relais-finish").addEventListener("click", function () {
    finish();
    say("Exercice terminé : vous pouvez fermer cette page.");
  });
  start();
  open();
}());
"""

LAUNCH_HTML = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; max-width: 40rem; }}
button {{ font-size: 1rem; padding: .5rem 1rem; margin-right: .5rem; }}
button:focus-visible {{ outline: 3px solid #1d4ed8; outline-offset: 2px; }}
</style>
</head>
<body>
<main id="relais-sco" data-url="{url}" data-origin="{origin}">
<h1>{title}</h1>
<p>Cet exercice se fait dans le simulateur CRM Relais, qui s'ouvre dans une nouvelle fenêtre.
Connectez-vous avec votre compte d'apprenant si on vous le demande.</p>
<p><button type="button" id="relais-open">Ouvrir l'exercice</button>
<button type="button" id="relais-finish">Terminer</button></p>
<p id="relais-status" role="status" aria-live="polite"></p>
<p><a href="{url}" target="_blank" rel="opener">Lien direct vers l'exercice</a></p>
</main>
<script src="../{script}"></script>
</body>
</html>
"""


_ORIGIN = re.compile(r"https?://[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::[0-9]{1,5})?")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def lms_origin(value: str) -> str:
    """``value`` if it is a web origin (``https://lms.example.fr[:port]``), else "".

    The origin an LMS launcher gives when it opens an exercise; the exercise page posts the
    score to it and nowhere else ("null", paths, other schemes and script are refused).
    """
    value = (value or "").strip().lower()
    return value if _ORIGIN.fullmatch(value) else ""


def manifest_xml(*, title: str, items: list[dict]) -> bytes:
    """The ``imsmanifest.xml``; ``items``: ``{"identifier", "title", "href"}``."""
    ET.register_namespace("", IMSCP)
    ET.register_namespace("adlcp", ADLCP)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(
        f"{{{IMSCP}}}manifest",
        {
            "identifier": "RELAIS-MANIFEST",
            "version": "1.2",
            f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION,
        },
    )
    metadata = ET.SubElement(root, f"{{{IMSCP}}}metadata")
    ET.SubElement(metadata, f"{{{IMSCP}}}schema").text = "ADL SCORM"
    ET.SubElement(metadata, f"{{{IMSCP}}}schemaversion").text = "1.2"
    organizations = ET.SubElement(root, f"{{{IMSCP}}}organizations", {"default": "RELAIS-ORG"})
    organization = ET.SubElement(
        organizations, f"{{{IMSCP}}}organization", {"identifier": "RELAIS-ORG"}
    )
    ET.SubElement(organization, f"{{{IMSCP}}}title").text = title
    resources = ET.SubElement(root, f"{{{IMSCP}}}resources")
    common = ET.SubElement(
        resources,
        f"{{{IMSCP}}}resource",
        {"identifier": "RES-COMMON", "type": "webcontent", f"{{{ADLCP}}}scormtype": "asset"},
    )
    ET.SubElement(common, f"{{{IMSCP}}}file", {"href": SCRIPT})
    for item in items:
        node = ET.SubElement(
            organization,
            f"{{{IMSCP}}}item",
            {
                "identifier": f"ITEM-{item['identifier']}",
                "identifierref": f"RES-{item['identifier']}",
                "isvisible": "true",
            },
        )
        ET.SubElement(node, f"{{{IMSCP}}}title").text = item["title"]
        resource = ET.SubElement(
            resources,
            f"{{{IMSCP}}}resource",
            {
                "identifier": f"RES-{item['identifier']}",
                "type": "webcontent",
                f"{{{ADLCP}}}scormtype": "sco",
                "href": item["href"],
            },
        )
        ET.SubElement(resource, f"{{{IMSCP}}}file", {"href": item["href"]})
        ET.SubElement(resource, f"{{{IMSCP}}}dependency", {"identifierref": "RES-COMMON"})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def scorm_package(*, title: str, exercises: list[tuple[str, str, str]]) -> bytes:
    """The zip: manifest, the shared script, one launch page per exercise.

    ``exercises``: ``(code, title, absolute exercise URL)``.
    """
    items = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(SCRIPT, LAUNCH_JS)
        for index, (code, exercise_title, url) in enumerate(exercises, start=1):
            href = f"sco/{index:02d}-{code}.html"
            items.append({"identifier": f"{index:02d}", "title": exercise_title, "href": href})
            archive.writestr(
                href,
                LAUNCH_HTML.format(
                    title=escape(exercise_title),
                    url=escape(url),
                    origin=escape(_origin(url)),
                    script=SCRIPT,
                ),
            )
        archive.writestr("imsmanifest.xml", manifest_xml(title=title, items=items))
        readme = [title, "", "Paquet SCORM 1.2 — un SCO par exercice du simulateur Relais :"]
        readme += [f"- {t}" for _c, t, _u in exercises]
        archive.writestr("LISEZMOI.txt", "\n".join(readme) + "\n")
    return buffer.getvalue()
