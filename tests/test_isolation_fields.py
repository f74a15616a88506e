"""Foreign ids in query strings and form fields: users of A name B's records by their ids.

Besides URL keywords (tests/test_isolation.py), a record can be named in a query string
(``?customer=``, ``?segment=``, ``?client=``…) or in a form field (the agenda's customer, a
campaign's segment or single client, a widget's segment filter, an invoice's vehicle, a
customer's owner, a class's school database or learner…). Two sweeps put B's ids there:

- every page of A is requested with every id-like query parameter set to one of B's ids
  (the parameters a page reads are tracked: one it reads that neither table names fails);
- every form a page of A shows is posted back as rendered (with plausible values in its
  empty required fields), once per id field, that field set to one of B's ids.

Whatever the answer, it is never a 500 and never shows B's records; nothing of B changes; and
no row of A ends up pointing at a record of B (an appointment of A for B's customer). A form
field carrying a public id that the sweep does not know fails the test until it is added to
``FOREIGN_FIELDS``. A table lists the fields the sweep must have reached, and a few
endpoints without an HTML form are posted to explicitly.
"""

import re
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from relais.core.accounts.roles import Role
from relais.crm.models import Appointment, Segment
from relais.training.models import SchoolBase, TrainingClass
from tests import test_isolation
from tests.factories import CustomerFactory
from tests.isolation_state import cross_links, organization_state, state_difference
from tests.test_isolation import FOREIGN_MARKERS, kwargs_for, url_patterns
from tests.test_no_write_on_get import _user_with_data

# B's records, built once per test by the fixture of tests/test_isolation.py.
foreign = test_isolation.foreign

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)

# Roles whose pages show every form: the administrator holds every permission, the agent is
# the everyday user, the learner answers exercises in a sandbox.
ROLES = (Role.AGENT, Role.LEARNER, Role.ADMINISTRATOR)

# Query-string parameters that name a record, and the kind of B's record put there.
QUERY_PARAMETERS = {
    "customer": "customer",
    "client": "customer",
    "client_id": "customer",
    "destinataire": "customer",
    "segment": "segment",
    "vehicle": "vehicle",
    "campaign": "campaign",
    "workspace": "workspace",
    "owner": "user_pk",
    "exercise": "exercise",
    "class": "class",
    "sandbox": "sandbox",
    "citer": "community_post",  # the community post quoted into the reply box
    "etiquette": "community_tag",  # the tag filtering a category's topics
    "categorie": "community_category",  # the category narrowing the forum search
    "modele": "frontdoor_template",  # the answer template filling a request's answer box
}

# Query-string parameters pages read that name no record. A page reading a parameter in
# neither table fails the sweep until it is added to one of them.
NOT_RECORD_PARAMETERS = {
    "next",  # a local path to go back to, checked by url_has_allowed_host_and_scheme
    "page",
    "q",
    "tri",
    "type",
    "statut",
    "etat",
    "niveau",
    "champ",
    "format",
    "focus",
    "avancement",
    "operations",
    "format_telephone",
    "date",
    "vue",
    "zone",
    "mine",
    "start",
    "end",
    "all_day",
    "occurrence",
    "lms",  # the launching LMS's origin, kept in the session for postMessage
    "vehicules",  # the page number of a customer's vehicles
    "organisme",  # a body code of the user's own network, filtering its offers
    "since",  # the period and channel filters of an observed log
    "until",
    "channel",
    "weeks",  # the sampling period's length, in weeks
}

# Form fields that name a record, and the kind of B's record put there.
FOREIGN_FIELDS = {
    **QUERY_PARAMETERS,
    "parent": "company_pk",
    "template": "template_pk",
    "learner": "learner_pk",
    "owner": "user_pk",
    # An exercise's free answer: graded against the learner's own sandbox only.
    "answer": "customer",
    "log": "journeys_log",  # the kept event log a designed journey is compared with
    "event_log": "journeys_log",  # the log whose recommendations are ranked
    "journey": "journeys_journey",  # the designed journey they are ranked against
    "offer-offer": "frontdoor_offer",  # a body's service offer linked from a request
}

# Form fields whose value looks like an id but names no record the user picks.
NOT_RECORD_FIELDS = {
    "csrfmiddlewaretoken",
    "next",
    "empreinte",  # a fingerprint of the cleaning preview, checked by the view
}

# Empty required fields get these values so that the form is valid but for the foreign id.
PLAUSIBLE = {
    "name": "Essai isolation",
    "title": "Essai isolation",
    "subject": "Essai isolation",
    "last_name": "Essai",
    "first_name": "Essai",
    "legal_name": "Essai SARL",
    "username": "essai-isolation",
    "code": "essai-isolation",
    "instructions": "Consigne",
    "body": "Bonjour",
    "client": "Essai",
    "make": "Renault",
    "model": "Clio",
    "number": "F-ESSAI",
    "starts_at": "2025-06-20T10:00",
    "ends_at": "2025-06-20T11:00",
    "start": "2025-06-20T10:00:00+02:00",
    "read_on": "2025-06-01",
    "issued_on": "2025-06-01",
    "occurred_at": "2025-06-10T10:00",
    "mileage": "12000",
    "value": "Essai",
}

# Forms not posted: they end the session the sweep runs in.
SKIPPED_ACTIONS = {"accounts:logout"}

# Posted last: they remove or reset the records other forms are shown on.
DESTRUCTIVE = ("delete", "reset", "undo", "cancel", "dismiss", "restore", "retir")

# Values a field needs next to it to be read at all (a single client is read for that target).
# "{keyword}" stands for the user's own record of that URL keyword.
CONTEXT = {
    ("crm:campaign-create", "client_id"): {"target": "client", "client_id": "{customer_id}"},
    ("crm:campaign-create", "client"): {"target": "client"},
    ("crm:invoice-create", "vehicle"): {
        "lines-0-label": "Vidange",
        "lines-0-quantity": "1",
        "lines-0-unit_price_excl_tax": "80",
        "lines-0-vat_rate": "20",
    },
}

# Forms whose success is shown on the same page (200), not by a redirection.
ANSWERED_IN_PLACE = {"training:exercise-check"}  # grades and shows the score

# Fields the sweeps must reach (url name, method, field): a page or form that loses one
# fails here, so that a rename does not silently drop it from the sweep.
EXPECTED = {
    ("crm:appointment-create", "get", "customer"),
    ("crm:campaign-create", "get", "client"),
    ("crm:campaign-create", "get", "segment"),
    ("crm:campaign-detail", "get", "destinataire"),
    ("crm:appointment-create", "post", "customer"),
    ("crm:campaign-create", "post", "segment"),
    ("crm:campaign-create", "post", "client_id"),
    ("crm:dashboard-widget-edit", "post", "segment"),
    ("crm:invoice-create", "post", "vehicle"),
    ("crm:customer-create", "post", "owner"),
    ("training:class-create", "post", "template"),
    ("training:class-learner-add", "post", "learner"),
    ("workspaces:switch", "post", "workspace"),
    ("training:exercise-check", "post", "answer"),
}


class _Forms(HTMLParser):
    """The POST forms of a page: action and ``[(name, value)]`` as a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": {}, "choices": {}}
            self.forms.append(self._form)
        if self._form is None or not attrs.get("name") and tag != "option":
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                self._form["choices"].setdefault(attrs["name"], []).append(attrs.get("value", "on"))
                if "checked" in attrs:
                    fields[attrs["name"]] = attrs.get("value", "on")
                elif kind == "radio":
                    fields.setdefault(attrs["name"], attrs.get("value", "on"))
                return
            fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select = attrs["name"]
            fields.setdefault(self._select, "")
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            self._form["choices"].setdefault(self._select, []).append(value)
            if "selected" in attrs or (not fields[self._select] and value):
                fields[self._select] = value
        elif tag == "textarea":
            self._textarea = attrs["name"]
            fields[self._textarea] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@contextmanager
def _query_reads():
    """The keys views read from any ``QueryDict`` (request.GET, request.POST) meanwhile."""
    read = set()
    names = ("get", "getlist", "__getitem__", "__contains__")
    own = {name: QueryDict.__dict__.get(name) for name in names}
    inherited = {name: getattr(QueryDict, name) for name in names}

    def tracking(original):
        def reader(self, key, *args, **kwargs):
            if not self._mutable:  # a request's data, not one being built (``in`` is used then)
                read.add(key)
            return original(self, key, *args, **kwargs)

        return reader

    for name in names:
        setattr(QueryDict, name, tracking(inherited[name]))
    try:
        yield read
    finally:
        for name in names:
            if own[name] is None:
                delattr(QueryDict, name)
            else:
                setattr(QueryDict, name, own[name])


def _url_name(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def _foreign_values(foreign) -> dict:
    """B's record of each kind, as a form or a query string names it."""
    values = foreign["url_values"]
    school = SchoolBase.objects.get(pk=values["school_id"])
    training_class = TrainingClass.objects.get(public_id=values["class_id"])
    learner = training_class.enrollments.first().learner
    return {
        "customer": foreign["customer"].public_id,
        "segment": Segment.objects.filter(workspace=foreign["workspace"]).first().public_id,
        "vehicle": foreign["vehicle"].public_id,
        "campaign": values["campaign_id"],
        "workspace": foreign["workspace"].public_id,
        "user_pk": foreign["agent"].pk,
        "exercise": values["exercise_id"],
        "class": values["class_id"],
        "sandbox": values["sandbox_id"],
        "company_pk": foreign["company"].company_id,
        "template_pk": school.workspace_id,
        "learner_pk": learner.pk,
        "community_post": values["community:post_id"],
        "community_tag": values["community:tag_slug"],
        "community_category": values["community:category_slug"],
        "frontdoor_template": values["template_id"],
        "journeys_log": values["log_id"],
        "journeys_journey": values["journey_id"],
        "frontdoor_offer": values["offer_id"],
    }


def _users_with_data(organization):
    return [_user_with_data(organization, role) for role in ROLES]


def _pages(values) -> list[str]:
    """Every parameterless page and every record page of the user's own records."""
    pages = []
    for namespace, pattern in url_patterns():
        if namespace in (None, "admin", "api") or not pattern.name:
            continue
        local = dict(values)
        if "contact" in pattern.name:
            local["customer_id"] = values["company_id"]
        kwargs = kwargs_for(namespace, pattern, local) if pattern.pattern.regex.groupindex else {}
        url = reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)
        if url not in pages:
            pages.append(url)
    return pages


def _check_answer(response, what: str, failures: list) -> None:
    if response.status_code >= 500:
        failures.append(f"{what} answered {response.status_code}")
        return
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace").lower()
    for marker in FOREIGN_MARKERS:
        if marker in text:
            failures.append(f"{what} shows a record of B ({marker})")


def _filled(form) -> dict:
    data = dict(form["fields"])
    for name, value in data.items():
        if not value and name in PLAUSIBLE:
            data[name] = PLAUSIBLE[name]
    return data


def _id_fields(form, action_name, failures) -> list[str]:
    """The fields of ``form`` naming a record; a public id of an unknown field fails."""
    names = []
    for name, value in form["fields"].items():
        if name in FOREIGN_FIELDS:
            names.append(name)
            continue
        if name in NOT_RECORD_FIELDS:
            continue
        choices = [c for c in form["choices"].get(name, []) if c]
        if UUID.match(value or "") or (choices and all(UUID.match(c) for c in choices)):
            failures.append(
                f"form {action_name}: the field {name!r} carries a public id the isolation sweep "
                "does not know: add it to FOREIGN_FIELDS (or NOT_RECORD_FIELDS) in "
                "tests/test_isolation_fields.py"
            )
    return names


@pytest.mark.django_db
def test_foreign_ids_in_query_strings_and_form_fields(organization, foreign):
    b_organization = foreign["organization"]
    b_values = _foreign_values(foreign)
    query = {name: str(b_values[kind]) for name, kind in QUERY_PARAMETERS.items()}
    users = _users_with_data(organization)
    before = organization_state(b_organization)
    failures, reached, controls = [], set(), {}
    for user, values in users:
        client = Client()
        client.force_login(user)
        forms = {}
        for page in _pages(values):
            # All of B's ids at once, then without those the page read, until it reads no
            # more (a refused id must not hide the next one); then each one read, alone.
            read, remaining = set(), dict(query)
            while True:
                with _query_reads() as reads:
                    response = client.get(page, remaining)
                _check_answer(response, f"{user.username}: GET {page}?<B's ids>", failures)
                for unknown in sorted(reads - set(query) - NOT_RECORD_PARAMETERS):
                    failures.append(
                        f"GET {_url_name(page)} reads the query parameter {unknown!r}: add it to "
                        "QUERY_PARAMETERS (it names a record) or NOT_RECORD_PARAMETERS in "
                        "tests/test_isolation_fields.py"
                    )
                new = reads & set(remaining)
                if not new:
                    break
                read |= new
                remaining = {k: v for k, v in remaining.items() if k not in new}
            for param in sorted(read):
                alone = client.get(page, {param: query[param]})
                _check_answer(alone, f"{user.username}: GET {page}?{param}=<B's id>", failures)
                reached.add((_url_name(page), "get", param))
            clean = client.get(page)  # the forms as rendered without foreign parameters
            if clean.status_code != 200 or clean.streaming:
                continue
            if "text/html" not in clean.get("Content-Type", ""):
                continue
            parser = _Forms()
            parser.feed(clean.content.decode(errors="replace"))
            for form in parser.forms:
                action = urljoin(page, form["action"] or page)
                key = (urlsplit(action).path, tuple(sorted(form["fields"])))
                forms.setdefault(key, form | {"url": action, "page": page})
        ordered = sorted(
            forms.values(),
            key=lambda f: any(word in (_url_name(f["url"]) or "") for word in DESTRUCTIVE),
        )
        for form in ordered:
            action_name = _url_name(form["url"])
            if action_name is None or action_name in SKIPPED_ACTIONS:
                continue
            for field in _id_fields(form, action_name, failures):
                data = _filled(form) | {
                    name: str(values[value[1:-1]]) if value.startswith("{") else value
                    for name, value in CONTEXT.get((action_name, field), {}).items()
                }
                control = client.post(form["url"], data)  # the form as the user would send it
                controls[(action_name, "post", field)] = control.status_code
                data[field] = str(b_values[FOREIGN_FIELDS[field]])
                response = client.post(form["url"], data)
                what = f"{user.username}: POST {form['url']} ({action_name}) {field}=<B's id>"
                _check_answer(response, what, failures)
                reached.add((action_name, "post", field))
    assert not failures, "\n".join(failures)
    assert not EXPECTED - reached, f"the sweeps no longer reach {sorted(EXPECTED - reached)}"
    # The same forms with A's own values go through: the foreign id alone was refused.
    refused = {
        key: status
        for key, status in controls.items()
        if key in EXPECTED and status not in (201, 204, 302) and key[0] not in ANSWERED_IN_PLACE
    }
    assert not refused, f"these forms refuse A's own values, so the sweep tests nothing: {refused}"
    assert not state_difference(before, organization_state(b_organization))
    assert not cross_links(organization, b_organization)


def _widget_of_b(foreign):
    return str(foreign["url_values"]["widget_id"])


# Endpoints posted to by scripts, without an HTML form the sweep could read:
# (url name, role, body builder from B's records, JSON body?, accepted answers).
SCRIPTED = [
    (
        "crm:appointment-drop",
        Role.AGENT,
        lambda f: {"customer": str(f["customer"].public_id), "start": "2025-06-20T10:00:00+02:00"},
        False,
        (400, 404),
    ),
    (
        "crm:dashboard-layout",
        Role.AGENT,
        lambda f: {"widgets": [{"id": _widget_of_b(f), "x": 0, "y": 0, "w": 4, "h": 2}]},
        True,
        (400, 404),
    ),
    (
        "workspaces:switch",
        Role.AGENT,
        lambda f: {"workspace": str(f["workspace"].public_id), "next": "/crm/clients/"},
        False,
        (404,),
    ),
    (
        "workspaces:switch",
        Role.LEARNER,
        lambda f: {"workspace": str(f["url_values"]["sandbox_id"])},
        False,
        (404,),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role", "body", "as_json", "accepted"),
    SCRIPTED,
    ids=[f"{name}-{role}" for name, role, *_rest in SCRIPTED],
)
def test_scripted_endpoints_refuse_foreign_ids(
    client, organization, foreign, name, role, body, as_json, accepted
):
    user, _values = _user_with_data(organization, role)
    client.force_login(user)
    before = organization_state(foreign["organization"])
    data = body(foreign)
    if as_json:
        response = client.post(reverse(name), data, content_type="application/json")
    else:
        response = client.post(reverse(name), data)
    assert response.status_code in accepted, response.status_code
    for marker in FOREIGN_MARKERS:
        assert marker not in response.content.decode(errors="replace").lower()
    assert not state_difference(before, organization_state(foreign["organization"]))
    assert not cross_links(organization, foreign["organization"])


@pytest.mark.django_db
def test_dropping_a_foreign_customer_on_the_agenda_books_nothing(
    agent_client, agent, workspace, foreign
):
    """The agenda's drag-and-drop endpoint takes a customer's public id, without a form."""
    before = organization_state(foreign["organization"])
    response = agent_client.post(
        reverse("crm:appointment-drop"),
        {"customer": str(foreign["customer"].public_id), "start": "2025-06-20T10:00:00+02:00"},
    )
    assert response.status_code in (400, 404)
    assert not Appointment.objects.filter(customer=foreign["customer"]).exists()
    assert not state_difference(before, organization_state(foreign["organization"]))
    assert not cross_links(agent.organization, foreign["organization"])
    # The same request with a customer of A books: the refusal above is about whose it is.
    own = CustomerFactory(workspace=workspace)
    response = agent_client.post(
        reverse("crm:appointment-drop"),
        {"customer": str(own.public_id), "start": "2025-06-20T10:00:00+02:00"},
    )
    assert response.status_code == 201
