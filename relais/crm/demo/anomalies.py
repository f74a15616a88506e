"""Deliberate anomalies of a school database, for cleaning and de-duplication exercises.

One generated customer in ``ANOMALY_EVERY`` carries one, the kinds taken in turn from a
seeded shuffle so that every kind is present once there are a few hundred customers. A kind
that involves two customers (homonym, household, duplicate, typo, shared VIN) pairs the new customer
with an earlier one, so that about 5 % of customers appear in the list.

Each anomaly is recorded as a plain dict — ``kind`` (a value of
``relais.training.models.AnomalyKind``), ``records`` (``[{"identity_key", "label"}]``, the
customers involved as generated), ``description`` and ``expected_correction`` in French — for
the training app to store; the CRM knows nothing of training.
"""

from datetime import timedelta
from typing import TYPE_CHECKING

from relais.crm.demo import identifiers as ids
from relais.crm.demo.plan import Plan

if TYPE_CHECKING:
    from relais.crm.demo.history import CustomerDrawer

ANOMALY_EVERY = 28  # with pairs counting twice, about 5 % of customers are involved
HOMONYM = "homonym"
DUPLICATE = "duplicate"
TYPO = "typo"
SWAPPED_NAMES = "swapped_names"
PHONE_FORMAT = "phone_format"
EMAIL_CASE = "email_case"
SHARED_VIN = "shared_vin"
POSTCODE_CITY = "postcode_city"
PHONE_WRONG_FIELD = "phone_wrong_field"
INVALID_EMAIL = "invalid_email"
HOUSEHOLD = "household"
KINDS = (
    HOMONYM,
    DUPLICATE,
    TYPO,
    SWAPPED_NAMES,
    PHONE_FORMAT,
    EMAIL_CASE,
    SHARED_VIN,
    POSTCODE_CITY,
    PHONE_WRONG_FIELD,
    INVALID_EMAIL,
    HOUSEHOLD,
)
PAIR_KINDS = frozenset({HOMONYM, DUPLICATE, TYPO, SHARED_VIN, HOUSEHOLD})


def label(plan: Plan) -> str:
    """The customer as a trainer finds them in the list: name, postcode and city."""
    contact = plan.contact
    name = " ".join(p for p in (contact.first_name, contact.last_name.upper()) if p)
    place = " ".join(p for p in (contact.postal_code, contact.city) if p)
    return f"{name} ({place})" if place else name


def _clip(text: str) -> str:
    return text if len(text) <= 300 else text[:299] + "…"


class AnomalyMaker:
    """Draws the anomalous customers of a ``CustomerDrawer`` and records the anomalies."""

    def __init__(self, drawer: "CustomerDrawer"):
        self.drawer = drawer
        self.order = list(KINDS)
        drawer.rng.shuffle(self.order)
        self.next_index = 0
        self.involved: set[int] = set()  # id() of plans already in an anomaly

    def draw(self) -> Plan | None:
        """The next anomalous customer, or None when no earlier customer fits its kind."""
        kind = self.order[self.next_index % len(self.order)]
        if kind in PAIR_KINDS:
            original = self._original(needs_vehicle=kind == SHARED_VIN)
            if original is None:
                return None  # too early in the base: a plain customer instead, kind kept
            plan = getattr(self, f"_{kind}")(original)
            self.involved.update({id(original), id(plan)})
        else:
            plan = getattr(self, f"_{kind}")()
            self.involved.add(id(plan))
        self.next_index += 1
        return plan

    def _original(self, *, needs_vehicle: bool) -> Plan | None:
        candidates = [
            plan
            for plan in self.drawer.recent
            if id(plan) not in self.involved and (plan.vehicles or not needs_vehicle)
        ]
        return self.drawer.rng.choice(candidates) if candidates else None

    def _record(self, kind: str, plans: list[Plan], description: str, correction: str) -> None:
        self.drawer.anomalies.append(
            {
                "kind": kind,
                "records": [
                    {"identity_key": plan.customer.identity_key, "label": label(plan)}
                    for plan in plans
                ],
                "description": _clip(description),
                "expected_correction": _clip(correction),
            }
        )

    # --- two customers -------------------------------------------------------------------

    def _homonym(self, original: Plan) -> Plan:
        source = original.contact

        def same_name(plan: Plan) -> None:
            plan.contact.civility = source.civility
            plan.contact.first_name, plan.contact.last_name = source.first_name, source.last_name

        plan = self.drawer.individual_with_history(same_name)
        plan.contact.birth_date = self._other_birth_date(source.birth_date)
        self._record(
            HOMONYM,
            [original, plan],
            f"Deux personnes différentes s'appellent {source.first_name} "
            f"{source.last_name.upper()} : dates de naissance, adresses et téléphones diffèrent.",
            "Ne pas fusionner : ce sont deux clients distincts (vérifier la date de naissance "
            "et l'adresse avant toute fusion).",
        )
        return plan

    def _household(self, original: Plan) -> Plan:
        """Someone of the same home: same surname and address, the landline when there is
        one, another first name and a birth date that is absent or another person's — a
        spouse, a parent or an adult child, whom a careless merge would erase."""
        drawer, source = self.drawer, original.contact

        def same_home(plan: Plan) -> None:
            person = plan.contact
            male = person.civility == "M"
            for _ in range(20):  # another first name, not a typo of it
                if person.first_name[:1].lower() != source.first_name[:1].lower():
                    break
                person.first_name = drawer._first_name(male)
            person.last_name = source.last_name
            person.street, person.address_complement = source.street, source.address_complement
            person.postal_code, person.city = source.postal_code, source.city
            person.phone_landline = source.phone_landline or person.phone_landline
            if person.email:
                local = drawer._email_local(person.first_name, person.last_name)
                person.email = f"{local}@{drawer._email_domain()}"

        plan = self.drawer.individual_with_history(same_home)
        has_date = self.drawer.rng.random() < 0.7
        plan.contact.birth_date = self._other_birth_date(source.birth_date) if has_date else None
        landline = " et le téléphone fixe" if source.phone_landline else ""
        self._record(
            HOUSEHOLD,
            [original, plan],
            f"{plan.contact.first_name} et {source.first_name} {source.last_name.upper()} "
            f"partagent l'adresse{landline} : deux personnes d'un même foyer (prénoms et dates "
            "de naissance différents).",
            "Ne pas fusionner : ce sont deux clients distincts d'un même foyer, même si l'adresse "
            "et le téléphone fixe sont communs.",
        )
        return plan

    def _other_birth_date(self, birth_date):
        # At least two years apart, still between 18 and 90.
        today, rng = self.drawer.today, self.drawer.rng
        for _ in range(20):
            days = int(rng.uniform(18 * 365.25 + 2, 90 * 365.25 - 2))
            candidate = today - timedelta(days=days)
            if birth_date is None or abs((candidate - birth_date).days) > 730:
                return candidate
        return birth_date

    def _duplicate(self, original: Plan) -> Plan:
        plan = self.drawer._duplicate(original)
        self._record(
            DUPLICATE,
            [original, plan],
            f"{label(original)} a été saisi une deuxième fois (fiche créée depuis le site "
            "internet, sans historique).",
            "Fusionner les deux fiches en gardant la plus complète (historique, date de "
            "naissance) et l'e-mail en minuscules.",
        )
        return plan

    def _typo(self, original: Plan) -> Plan:
        plan = self.drawer._duplicate(original)
        source, copy = original.contact, plan.contact
        copy.last_name = self._misspelt(source.last_name)
        copy.email = source.email  # only the name differs
        self._record(
            TYPO,
            [original, plan],
            f"Le nom de {source.first_name} {source.last_name.upper()} a été mal orthographié "
            f"(« {copy.last_name} ») sur une deuxième fiche.",
            f"Fusionner les deux fiches et garder l'orthographe « {source.last_name} ».",
        )
        return plan

    def _misspelt(self, name: str) -> str:
        rng = self.drawer.rng
        letters = [i for i, c in enumerate(name) if c.isalpha()]
        for _ in range(10):
            i = rng.choice(letters[:-1] or letters)
            how = rng.randrange(3)
            if how == 0 and i + 1 < len(name):  # two letters swapped
                typo = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
            elif how == 1:  # a letter doubled
                typo = name[: i + 1] + name[i] + name[i + 1 :]
            else:  # a letter dropped
                typo = name[:i] + name[i + 1 :]
            if typo.lower() != name.lower() and typo.strip():
                return typo
        return name + "e"

    def _shared_vin(self, original: Plan) -> Plan:
        drawer = self.drawer
        plan = drawer.individual_with_history()
        theirs = original.vehicles[0]
        registered_on = drawer._days_ago(365, 10 * 365)
        car = drawer._pick_car(year=registered_on.year)
        vehicle, _engine = drawer._vehicle(plan, car, registered_on, drawer._usage(plan))
        vehicle.vin = theirs.vin  # typed from the wrong registration certificate
        self._record(
            SHARED_VIN,
            [original, plan],
            f"Le numéro de châssis (VIN) {theirs.vin} figure sur deux véhicules : "
            f"{theirs.make} {theirs.model} {theirs.plate} de {label(original)} et "
            f"{vehicle.make} {vehicle.model} {vehicle.plate} de {label(plan)}.",
            f"Vérifier le certificat d'immatriculation du véhicule {vehicle.plate} et corriger "
            "son VIN ; ne pas fusionner les clients.",
        )
        return plan

    # --- one customer --------------------------------------------------------------------

    def _single(self, kind: str, alter) -> Plan:
        """An individual entered with a defect: ``alter(plan)`` returns (description,
        correction) once it has changed the contact."""
        texts = []
        plan = self.drawer.individual_with_history(lambda plan: texts.append(alter(plan)))
        self.drawer.recent.append(plan)  # a real customer: leads may come from them
        description, correction = texts[0]
        self._record(kind, [plan], description, correction)
        return plan

    def _swapped_names(self) -> Plan:
        def swap(plan):
            person = plan.contact
            first, last = person.first_name, person.last_name
            person.first_name, person.last_name = last, first
            return (
                f"Nom et prénom inversés : prénom « {last} », nom « {first} ».",
                f"Saisir « {first} » en prénom et « {last} » en nom.",
            )

        return self._single(SWAPPED_NAMES, swap)

    def _phone_format(self) -> Plan:
        rng = self.drawer.rng

        def reformat(plan):
            person = plan.contact
            if not person.phone_mobile:
                person.phone_mobile = ids.mobile_phone(rng)
            right = person.phone_mobile
            digits = right.replace(" ", "")
            person.phone_mobile = rng.choice(
                (
                    digits,
                    "+33 " + " ".join([digits[1]] + [digits[i : i + 2] for i in range(2, 10, 2)]),
                    right.replace(" ", "."),
                    "+33" + digits[1:],
                    right.replace(" ", "-"),
                )
            )
            return (
                f"Téléphone portable saisi dans un autre format : « {person.phone_mobile} ».",
                f"Saisir le numéro au format national : {right}.",
            )

        return self._single(PHONE_FORMAT, reformat)

    def _email_case(self) -> Plan:
        drawer = self.drawer

        def shout(plan):
            person = plan.contact
            if not person.email:
                local = drawer._email_local(person.first_name, person.last_name)
                person.email = f"{local}@{drawer._email_domain()}"
            right = person.email
            person.email = right.upper()
            return (
                f"E-mail saisi en majuscules : « {person.email} ».",
                f"Écrire l'adresse en minuscules : {right}.",
            )

        return self._single(EMAIL_CASE, shout)

    def _postcode_city(self) -> Plan:
        rng = self.drawer.rng

        def damage(plan):
            person = plan.contact
            right = f"{person.postal_code} {person.city}"
            how = rng.randrange(3)
            if how == 0:
                person.postal_code = ""
                description = f"Code postal manquant (ville : {person.city})."
            elif how == 1:
                person.city = ""
                description = f"Ville manquante (code postal : {person.postal_code})."
            else:
                other_code, other_city = person.postal_code, person.city
                while other_code[:2] == person.postal_code[:2]:
                    other_code, other_city = ids.place(rng, {"*": 1})
                person.city = other_city
                description = (
                    f"Ville incohérente avec le code postal : {person.postal_code} {other_city}."
                )
            return description, f"Corriger l'adresse : {right}."

        return self._single(POSTCODE_CITY, damage)

    def _phone_wrong_field(self) -> Plan:
        rng = self.drawer.rng

        def misplace(plan):
            person = plan.contact
            mobile = person.phone_mobile or ids.mobile_phone(rng)
            person.phone_mobile, person.phone_landline = "", mobile
            person.consent_sms = False  # no mobile on file: no SMS
            return (
                f"Numéro de portable {mobile} saisi dans le champ du téléphone fixe.",
                f"Déplacer {mobile} dans le champ « Portable » et vider le champ « Fixe ».",
            )

        return self._single(PHONE_WRONG_FIELD, misplace)

    def _invalid_email(self) -> Plan:
        drawer, rng = self.drawer, self.drawer.rng

        def spoil(plan):
            person = plan.contact
            if not person.email:
                local = drawer._email_local(person.first_name, person.last_name)
                person.email = f"{local}@{drawer._email_domain()}"
            right = person.email
            local, domain = right.split("@")
            person.email = rng.choice(
                (
                    f"{local}@{domain.rsplit('.', 1)[0]}",  # no top-level domain
                    f"{local}.{domain}",  # no @
                    f"{local}@@{domain}",
                    f"{local}@{domain},",
                )
            )
            person.consent_email = False  # mail bounced: consent withdrawn by the dealer
            return (
                f"Adresse e-mail invalide : « {person.email} ».",
                f"Corriger l'adresse (probablement {right}) ou la redemander au client.",
            )

        return self._single(INVALID_EMAIL, spoil)
