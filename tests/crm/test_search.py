"""Customer search: accent-, case- and format-insensitive, partial, AND of terms, workspace-scoped."""

import pytest

from relais.crm.models import Customer, CustomerKind
from relais.crm.search import build_search_document, filter_by_search
from relais.crm.selectors import customer_list
from relais.crm.services.customers import company_contact_add, customer_create, customer_update
from relais.crm.services.records import vehicle_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Argon2 costs about 0.3 s a user; these tests are not about passwords (see test_accounts).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(agent, workspace):
    """Three individuals and one company in the agent's workspace."""
    helene = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.INDIVIDUAL,
        contact_data={
            "first_name": "Hélène",
            "last_name": "Dupont-Lefèvre",
            "email": "helene.dupont@exemple.fr",
            "phone_mobile": "06 12 34 56 78",
            "phone_landline": "04 78 00 11 22",
            "postal_code": "69003",
            "city": "Lyon",
        },
    )
    vehicle_create(
        actor=agent,
        customer=helene,
        data={
            "make": "Renault",
            "model": "Clio",
            "energy": "hybrid",
            "plate": "AB-123-CD",
            "vin": "VF1RJA00012345678",
        },
    )
    helene_paris = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.INDIVIDUAL,
        contact_data={
            "first_name": "Helene",
            "last_name": "Moreau",
            "postal_code": "75011",
            "city": "Paris",
        },
    )
    oscar = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.INDIVIDUAL,
        contact_data={
            "first_name": "Oscar",
            "last_name": "Ng",
            "email": "oscar@garage.fr",
            "phone_mobile": "07 56 98 76 54",
        },
    )
    company = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.COMPANY,
        contact_data={
            "legal_name": "Transports Martin",
            "trade_name": "TM Logistique",
            "siret": "73282932000074",
            "postal_code": "42000",
            "city": "Saint-Étienne",
        },
    )
    company_contact_add(
        actor=agent,
        customer=company,
        person_data={"first_name": "Gérard", "last_name": "Lemaître", "email": "g.lemaitre@tm.fr"},
        role="Gestionnaire de flotte",
    )
    return {"helene": helene, "helene_paris": helene_paris, "oscar": oscar, "company": company}


@pytest.fixture
def search(agent, workspace, people):
    names = {customer.pk: key for key, customer in people.items()}

    def run(query):
        return {names[c.pk] for c in customer_list(user=agent, workspace=workspace, query=query)}

    return run


ALL = {"helene", "helene_paris", "oscar", "company"}


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_lists_everyone(search, query):
    assert search(query) == ALL


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Hélène", {"helene", "helene_paris"}),
        ("helene", {"helene", "helene_paris"}),
        ("HELENE", {"helene", "helene_paris"}),
        ("hÉlÈnE", {"helene", "helene_paris"}),
        ("Dupont", {"helene"}),
        ("lefevre", {"helene"}),
        ("LEFÈVRE", {"helene"}),
        ("Dupont-Lefèvre", {"helene"}),
        ("dupont lefevre", {"helene"}),
        ("upon", {"helene"}),  # partial, inside the name
        ("moreau", {"helene_paris"}),
        ("Oscar", {"oscar"}),
    ],
)
def test_names_match_regardless_of_accents_case_and_punctuation(search, query, expected):
    assert search(query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "34 56 78",  # the end of the number
        "0612",  # its beginning
        "04 78 00 11 22",  # the landline
        "+33 4 78 00 11 22",
    ],
)
def test_phone_matches_in_any_format(search, query):
    assert search(query) == {"helene"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("helene.dupont@exemple.fr", {"helene"}),
        ("HELENE.DUPONT@EXEMPLE.FR", {"helene"}),
        ("dupont@exe", {"helene"}),
        ("@garage.fr", {"oscar"}),
        ("g.lemaitre@tm.fr", {"company"}),
    ],
)
def test_email_matches_whole_or_partial(search, query, expected):
    assert search(query) == expected


@pytest.mark.parametrize(
    "query", ["AB-123-CD", "ab-123-cd", "AB123CD", "ab123cd", "ab 123 cd", "123-CD", "b123c"]
)
def test_plate_matches_with_or_without_dashes(search, query):
    assert search(query) == {"helene"}


@pytest.mark.parametrize(
    "query", ["VF1RJA00012345678", "vf1rja00012345678", "RJA000123", "12345678"]
)
def test_vin_matches_whole_or_partial(search, query):
    assert search(query) == {"helene"}


@pytest.mark.parametrize(
    "query",
    [
        "73282932000074",
        "732 829 320 00074",
        "732829320",  # the SIREN
        "732 829 320",
        "Transports Martin",
        "transports",
        "TRANSPORTSMARTIN",
        "martin",
        "TM Logistique",
        "logisti",
        "Gérard",  # a contact person
        "lemaitre",
        "Lemaître Gérard",
    ],
)
def test_company_matches_on_identifiers_names_and_contact_persons(search, query):
    assert search(query) == {"company"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("helene lyon", {"helene"}),
        ("helene paris", {"helene_paris"}),
        ("Lyon Hélène", {"helene"}),
        ("helene 69003", {"helene"}),
        ("helene 06 12", {"helene"}),
        ("helene marseille", set()),
        ("oscar dupont", set()),
    ],
)
def test_several_terms_must_all_match(search, query, expected):
    assert search(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ng", {"oscar"}),
        ("Ng", {"oscar"}),
        ("oscar ng", {"oscar"}),
        ("ng oscar", {"oscar"}),
        ("he", {"helene", "helene_paris"}),
        ("lé", {"helene", "helene_paris", "company"}),
    ],
)
def test_short_terms_work(search, query, expected):
    assert search(query) == expected


def test_search_follows_an_update(search, agent, people):
    customer_update(actor=agent, customer=people["oscar"], contact_data={"last_name": "Nguyen"})
    assert search("nguyen") == {"oscar"}


def test_results_are_scoped_to_the_workspace(
    agent, workspace, other_workspace, other_agent, people
):
    twin = customer_create(
        actor=other_agent,
        workspace=other_workspace,
        kind=CustomerKind.INDIVIDUAL,
        contact_data={
            "first_name": "Hélène",
            "last_name": "Dupont-Lefèvre",
            "phone_mobile": "06 12 34 56 78",
        },
    )
    for query in ("dupont", "06 12 34 56 78", "ng", ""):
        found = list(customer_list(user=agent, workspace=workspace, query=query))
        assert twin not in found
        assert all(c.workspace_id == workspace.pk for c in found)
    assert list(customer_list(user=other_agent, workspace=other_workspace, query="dupont")) == [
        twin
    ]
    assert list(customer_list(user=other_agent, workspace=other_workspace, query="oscar")) == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        '"*"',
        "(",
        ")",
        "()",
        "-",
        "^",
        ":",
        "{}",
        "%",
        "_",
        "'",
        "\\",
    ],
)
def test_a_query_of_search_syntax_alone_matches_nothing_and_does_not_crash(search, query):
    assert search(query) == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("AND", set()),
        ("NEAR", set()),
        ("NOT", set()),
        ("dupont AND", set()),  # "and" is a word to find, not an operator
        ("dupont OR oscar", set()),
        ('" OR "', {"company", "helene_paris"}),  # in "transports", "moreau"
        ("NEAR(dupont oscar)", set()),
        ('"dupont"', {"helene"}),
        ('dupont"', {"helene"}),
        ('"dupont', {"helene"}),
        ("dupont*", {"helene"}),
        ("(dupont)", {"helene"}),
        ("first_name:dupont", set()),
        ("search_document:dupont", set()),
        ("-dupont", {"helene"}),
        ("%upon%", {"helene"}),
        ("d_pont", set()),
        ("dupont'); DROP TABLE crm_customer; --", set()),
    ],
)
def test_search_syntax_inside_a_query_is_plain_text(search, query, expected):
    assert search(query) == expected
    assert Customer.objects.count() == 4


def test_filter_by_search_on_any_queryset(people, workspace):
    customers = Customer.objects.in_workspace(workspace)
    assert list(filter_by_search(customers, "moreau")) == [people["helene_paris"]]
    assert filter_by_search(customers, "").count() == 4


def test_search_document_is_folded_and_compact(people):
    words = build_search_document(people["helene"]).split()
    assert len(words) == len(set(words))
    assert all(w == w.lower() and w.isalnum() and w.isascii() for w in words)
    for expected in (
        "helene",
        "dupontlefevre",
        "0612345678",
        "33612345678",
        "ab123cd",
        "vf1rja00012345678",
    ):
        assert expected in words


def test_operator_words_are_searched_as_words(search, agent, workspace, people):
    fernand = customer_create(
        actor=agent,
        workspace=workspace,
        kind=CustomerKind.INDIVIDUAL,
        contact_data={"first_name": "Fernand", "last_name": "Nearson"},
    )
    found = {c.pk for c in customer_list(user=agent, workspace=workspace, query="AND")}
    assert found == {fernand.pk}
    found = {c.pk for c in customer_list(user=agent, workspace=workspace, query="NEAR fern")}
    assert found == {fernand.pk}


def test_deleted_customers_leave_the_index(search, supervisor, people):
    from relais.crm.services.deletion import customer_delete

    customer_delete(actor=supervisor, customer=people["helene"])
    assert search("dupont") == set()
    assert search("06 12 34 56 78") == set()
    assert search("helene") == {"helene_paris"}
