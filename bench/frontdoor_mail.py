"""Front door e-mail intake: messages per second through Relais's SMTP inbox into requests.

A fresh SQLite database (WAL, as ``make demo``) is migrated in a temporary directory and
holds one network of five bodies. The same employer messages (``--messages``, 1,000 by
default; one in ten carries a one-page PDF) are then taken in three ways, in the same run:

* **SMTP inbox** — delivered with ``smtplib`` over one connection to the real SMTP server
  (``relais.frontdoor.mail.smtp``, aiosmtpd on loopback), each ``250`` answered once the
  request is stored, routed and acknowledged (the acknowledgements go to Django's in-memory
  mail backend: no remote server is measured);
* **web form** (the baseline) — the same subjects, texts and senders posted through the public
  « Poser une question » form view (Django's test client: the whole view, form and service,
  no network), which makes the same requests by the same service;
* **parse only** — the stdlib ``email`` parse of each message, the floor the protocol and the
  database sit on.

The figure is the inbox's messages per second and its ratio to the web form's. The machine
may be shared: each way's process CPU time (the SMTP client, server and Django work all run
in this process) is printed beside its wall time, with the load average before and after.
"""

import argparse
import os
import smtplib
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QUESTIONS = (
    ("Embauche d'un apprenti", "Quelles aides et quelles cotisations pour embaucher un apprenti ?"),
    ("Arrêt maladie d'un salarié", "Mon maçon est en arrêt : quelle attestation de salaire ?"),
    ("Retraite d'un salarié", "Un compagnon part à la retraite : quelles démarches ?"),
    ("Délai de paiement", "Je ne peux pas payer les cotisations ce mois-ci, un délai ?"),
    ("Licenciement économique", "Je dois licencier deux ouvriers : que faire pour le chômage ?"),
    ("Prime d'activité", "Un salarié demande si la prime d'activité change avec ses heures."),
    ("Chantier en intempéries", "Chantier arrêté par le gel : indemnités des ouvriers ?"),
    ("Prévention des chutes", "Aide pour acheter des échafaudages plus sûrs ?"),
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _messages(count: int, inbox: str, pdf: bytes):
    from email.message import EmailMessage

    items = []
    for number in range(count):
        subject, text = QUESTIONS[number % len(QUESTIONS)]
        message = EmailMessage()
        message["From"] = f"Employeur {number} <employeur{number}@btp{number % 97}.exemple.fr>"
        message["To"] = inbox
        message["Subject"] = f"{subject} ({number})"
        message["Message-ID"] = f"<bench-{number}@btp.exemple.fr>"
        message.set_content(f"Bonjour,\n{text}\nMerci, employeur {number}.")
        if number % 10 == 0:
            message.add_attachment(
                pdf, maintype="application", subtype="pdf", filename="attestation.pdf"
            )
        items.append(message)
    return items


def _setup(tmp: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["RELAIS_PLAIN_STATIC"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relais.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, in-memory mail backend
    call_command("migrate", verbosity=0)


def _network(inbox: str):
    from relais.core.organizations.models import Organization
    from relais.core.workspaces.models import Workspace
    from relais.frontdoor.models import Body, Network

    host = Organization.objects.create(name="Guichet BTP 31", slug="guichet-btp-31")
    workspace = Workspace.objects.create(organization=host, name="Guichet BTP 31")
    network = Network.objects.create(
        name="Guichet BTP 31",
        slug="btp-31",
        organization=host,
        workspace=workspace,
        inbox_address=inbox,
    )
    for code in ("URSSAF", "CAF", "CPAM", "CARSAT", "FRANCE_TRAVAIL"):
        organization = Organization.objects.create(
            name=f"{code} 31", slug=f"{code.lower().replace('_', '-')}-31"
        )
        Body.objects.create(network=network, organization=organization, code=code, name=code)
    return network


def _timed(phase, *args) -> tuple[float, float]:
    """``(wall seconds, process CPU seconds)`` of ``phase(*args)``."""
    cpu = time.process_time()
    wall = phase(*args)
    return wall, time.process_time() - cpu


def _smtp_phase(messages, inbox: str) -> float:
    from relais.frontdoor.mail.smtp import inbox_controller

    port = _free_port()
    controller = inbox_controller(host="127.0.0.1", port=port)
    controller.start()
    try:
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            for message in messages:
                client.send_message(message, to_addrs=[inbox])
        return time.perf_counter() - started
    finally:
        controller.stop()


def _web_phase(messages) -> float:
    from django.test import Client

    from relais.frontdoor.mail.parse import parse, sender_names

    client = Client()
    forms = []
    for message in messages:
        parsed = parse(message.as_bytes())
        first, last = sender_names(parsed)
        forms.append(
            {
                "requester_role": "employer",
                "legal_name": f"Entreprise de {last}",
                "last_name": last,
                "first_name": first,
                "email": parsed.sender,
                "subject": parsed.subject,
                "text": parsed.text,
            }
        )
    started = time.perf_counter()
    for data in forms:
        response = client.post("/guichet/", data)
        if response.status_code != 302:
            raise SystemExit(f"web form refused a message: {response.status_code}")
    return time.perf_counter() - started


def _parse_phase(raw_messages) -> float:
    from relais.frontdoor.mail.parse import parse

    started = time.perf_counter()
    for raw in raw_messages:
        parse(raw)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.frontdoor_mail", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--messages", type=int, default=1000, help="messages per way (1000)")
    args, _unknown = parser.parse_known_args(argv)
    inbox = "guichet@btp31.exemple.fr"
    with tempfile.TemporaryDirectory(prefix="relais-mail-bench-") as tmp:
        started = time.perf_counter()
        _setup(Path(tmp))
        from django.urls import reverse

        from relais.frontdoor.letters import _LetterPDF
        from relais.frontdoor.models import Request, RequestChannel

        pdf = _LetterPDF("Attestation")
        pdf.add_page()
        pdf.set_font("DejaVu", "", 12)
        pdf.cell(0, 10, "Attestation de vigilance")
        pdf_bytes = bytes(pdf.output())
        _network(inbox)
        messages = _messages(args.messages, inbox, pdf_bytes)
        raw = [m.as_bytes() for m in messages]
        print(
            f"Front door e-mail intake — {args.messages} messages "
            f"({args.messages // 10} with a PDF), SQLite, set-up {time.perf_counter() - started:.0f} s"
        )
        assert reverse("frontdoor:ask") == "/guichet/"
        # Warm-up, not counted: the routing model loaded, the first queries compiled.
        from relais.frontdoor.routing import route

        route("Embauche d'un apprenti")
        load_before = os.getloadavg()
        smtp_s, smtp_cpu = _timed(_smtp_phase, messages, inbox)
        by_mail = Request.objects.filter(channel=RequestChannel.EMAIL).count()
        web_s, web_cpu = _timed(_web_phase, messages)
        by_web = Request.objects.filter(channel=RequestChannel.WEB).count()
        parse_s, parse_cpu = _timed(_parse_phase, raw)
        load_after = os.getloadavg()
        if by_mail != args.messages or by_web != args.messages:
            raise SystemExit(f"requests made: {by_mail} by e-mail, {by_web} by the web form")
    rate = args.messages / smtp_s
    web_rate = args.messages / web_s
    n = args.messages
    print(
        f"load average (1, 5, 15 min): {' '.join(f'{v:.2f}' for v in load_before)} before, "
        f"{' '.join(f'{v:.2f}' for v in load_after)} after; {os.cpu_count()} CPUs"
    )
    print("| way | wall s | messages/s | CPU s | CPU ms/message |\n|---|---|---|---|---|")
    print(
        f"| SMTP inbox → requests | {smtp_s:.1f} | **{rate:.1f}** | {smtp_cpu:.1f} | "
        f"{1000 * smtp_cpu / n:.0f} |"
    )
    print(
        f"| web form view → requests (baseline) | {web_s:.1f} | {web_rate:.1f} | "
        f"{web_cpu:.1f} | {1000 * web_cpu / n:.0f} |"
    )
    print(
        f"| parse only (stdlib email) | {parse_s:.2f} | {n / parse_s:.0f} | {parse_cpu:.2f} | "
        f"{1000 * parse_cpu / n:.1f} |"
    )
    print(f"SMTP inbox / web form: {rate / web_rate:.2f}× (wall), {web_cpu / smtp_cpu:.2f}× (CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
