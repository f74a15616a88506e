"""Drawing the people of a generated CRM: individuals, companies and their staff, leads.

``PeopleDrawer`` holds the seeded random sources (``random.Random`` and a ``Faker("fr_FR")``
seeded alike) and the small draws every part of a customer's story uses.
"""

import random
import re
from collections import deque
from datetime import date, datetime, time, timedelta
from functools import cache

from django.utils import timezone
from faker import Faker
from faker.providers.person import de_DE, es_ES, fr_BE, fr_CA, fr_CH, fr_FR, it_IT, pt_PT

from relais.core.contacts.models import Company, CompanyType, FleetSize
from relais.core.contacts.normalize import fold
from relais.core.contacts.services import company_build, person_build
from relais.core.workspaces.models import Workspace
from relais.crm.calendar import is_working_day, next_working_day, previous_working_day
from relais.crm.demo import catalogue as cat
from relais.crm.demo import identifiers as ids
from relais.crm.demo.plan import Plan
from relais.crm.models import Customer, CustomerKind, CustomerSource, Lead, LeadStatus, LeadType

_NOT_MAIL_SAFE = re.compile(r"[^a-z0-9-]")
FLEET_SIZES = {FleetSize.SMALL: 50, FleetSize.MEDIUM: 25, FleetSize.LARGE: 15, FleetSize.FLEET: 10}
LEAD_TYPES = {
    LeadType.WEB_AD: 20, LeadType.TEST_DRIVE: 18, LeadType.QUOTE: 16, LeadType.PHONE: 10,
    LeadType.SHOWROOM: 8, LeadType.CALLBACK: 10, LeadType.TRADE_IN: 8, LeadType.BROCHURE: 5,
    LeadType.EVENT: 5,
}  # fmt: skip


@cache
def _name_pools() -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """Last names (French first, then the long tail of a French town), first names by gender."""
    french = list(fr_FR.Provider.last_names)
    francophone = [
        *fr_BE.Provider.last_names,
        *fr_CH.Provider.last_names,
        *fr_CA.Provider.last_names,
    ]
    immigration = [
        *it_IT.Provider.last_names,
        *es_ES.Provider.last_names,
        *pt_PT.Provider.last_names,
        *de_DE.Provider.last_names,
    ]
    male = [*fr_FR.Provider.first_names_male, *fr_CA.Provider.first_names_male]
    female = [*fr_FR.Provider.first_names_female, *fr_CA.Provider.first_names_female]
    return french, sorted(set(francophone)), sorted(set(immigration)), male, female


def _ascii_word(text: str) -> str:
    """'Jean-Luc D'Aubigné' -> 'jean-luc-daubigne': safe in an e-mail address."""
    return _NOT_MAIL_SAFE.sub("", fold(text).replace(" ", "-")).strip("-") or "contact"


class PeopleDrawer:
    """Draws contacts and leads from seeded random sources."""

    def __init__(
        self, *, workspace: Workspace, seed: int, today: date, owner, identity_salt: int = 0
    ):
        self.workspace_id = workspace.pk
        self.today = today
        self.zone = timezone.get_current_timezone()
        self.owner_id = owner.pk if owner is not None else None
        self.rng = random.Random(seed)
        self.faker = Faker("fr_FR")
        self.faker.seed_instance(seed)
        # Identity keys from their own source, salted with what the workspace already holds,
        # so that generating twice into one workspace never gives two people the same key.
        self.key_rng = random.Random(f"{seed}:{identity_salt}:identity")
        self.recent: deque[Plan] = deque(maxlen=200)  # individuals, to copy for anomalies
        self.companies: deque[Company] = deque(maxlen=200)  # possible parent companies

    # --- small draws ---------------------------------------------------------------------

    def _date_between(self, start: date, end: date) -> date:
        """A working day between ``start`` and ``end`` (the dealership closes on Sundays and
        public holidays); the first working day from ``start`` if there is none."""
        if end <= start:
            return next_working_day(start)
        day = start + timedelta(days=self.rng.randint(0, (end - start).days))
        if is_working_day(day):
            return day
        before = previous_working_day(day)
        return before if before >= start else next_working_day(day)

    def new_identity_key(self) -> str:
        return f"{self.key_rng.getrandbits(128):032x}"

    def _days_ago(self, low: int, high: int) -> date:
        return self._date_between(
            self.today - timedelta(days=high), self.today - timedelta(days=low)
        )

    def _business_time(self, day: date) -> datetime:
        return self.at(day, self.rng.randint(9, 18), self.rng.choice((0, 10, 15, 30, 40, 45)))

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """That day at that time, in the current time zone (Europe/Paris)."""
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    def _last_name(self) -> str:
        french, francophone, immigration, _, _ = _name_pools()
        roll = self.rng.random()
        pool = french if roll < 0.7 else francophone if roll < 0.82 else immigration
        name = self.rng.choice(pool)
        if self.rng.random() < 0.03:
            name = f"{name}-{self.rng.choice(french)}"
        return name

    def _first_name(self, male: bool) -> str:
        _, _, _, men, women = _name_pools()
        return self.rng.choice(men if male else women)

    def _email_local(self, first: str, last: str) -> str:
        first, last = _ascii_word(first), _ascii_word(last)
        style = self.rng.randrange(5)
        if style == 0:
            return f"{first}{last}".replace("-", "")
        if style == 1:
            return f"{first[0]}.{last}"
        if style == 2:
            return f"{first}.{last}{self.rng.randint(1, 99)}"
        if style == 3:
            return f"{last}.{first}"
        return f"{first}.{last}"

    def _email_domain(self) -> str:
        return self._weighted(cat.EMAIL_DOMAINS)

    def _street(self) -> str:
        number = self.rng.randint(1, 180)
        suffix = " bis" if self.rng.random() < 0.04 else ""
        return f"{number}{suffix} {self.faker.street_name()}"

    def _consents(
        self, contact, *, sms: float, phone: float, email: float, mail: float, since: date
    ):
        contact.consent_sms = bool(contact.phone_mobile) and self.rng.random() < sms
        contact.consent_phone = (
            bool(contact.phone_mobile or contact.phone_landline) and self.rng.random() < phone
        )
        contact.consent_email = bool(contact.email) and self.rng.random() < email
        contact.consent_mail = self.rng.random() < mail
        if (
            contact.consent_sms
            or contact.consent_phone
            or contact.consent_email
            or contact.consent_mail
        ):
            contact.consent_updated_at = self._business_time(since)

    def _weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _pick_car(
        self, *, year: int, utility: bool = False, dealer_share: float = 0.0
    ) -> cat.CarModel:
        same_kind = [m for m in cat.CATALOGUE if m.utility == utility]
        candidates = [m for m in same_kind if m.on_sale(year)] or same_kind
        if self.rng.random() < dealer_share:
            candidates = [m for m in candidates if m.make in cat.DEALER_MAKES] or candidates
        return self.rng.choice(candidates)

    # --- contacts ------------------------------------------------------------------------

    def _individual(self, since: date) -> Plan:
        rng = self.rng
        male = rng.random() < 0.5
        first, last = self._first_name(male), self._last_name()
        birth_date = self.today - timedelta(
            days=int(rng.triangular(18 * 365.25 + 2, 90 * 365.25 - 2, 47 * 365.25))
        )
        age = (self.today - birth_date).days // 365
        if age < 23 and rng.random() < 0.6:
            profession = "Étudiant" if male else "Étudiante"
        elif age >= 64 and rng.random() < 0.85:
            profession = "Retraité" if male else "Retraitée"
        else:
            job = self.faker.job()
            profession = (job[0].upper() + job[1:])[:100]
        postal_code, city = ids.place(rng, cat.DEPARTMENTS)
        person = person_build(
            workspace_id=self.workspace_id,
            civility="M" if male else "MME",
            first_name=first,
            last_name=last,
            birth_date=birth_date,
            profession=profession,
            street=self._street(),
            address_complement=rng.choice(cat.ADDRESS_COMPLEMENTS) if rng.random() < 0.12 else "",
            postal_code=postal_code,
            city=city,
            phone_mobile=ids.mobile_phone(rng) if rng.random() < 0.88 else "",
            phone_landline=ids.landline_phone(rng, postal_code)
            if rng.random() < (0.55 if age >= 60 else 0.2)
            else "",
            email=f"{self._email_local(first, last)}@{self._email_domain()}"
            if rng.random() < 0.82
            else "",
        )
        self._consents(person, sms=0.45, phone=0.35, email=0.6, mail=0.5, since=since)
        customer = Customer(
            workspace_id=self.workspace_id,
            kind=CustomerKind.INDIVIDUAL,
            person=person,
            identity_key=self.new_identity_key(),
        )
        return Plan(customer=customer, contact=person)

    def _company(self, since: date) -> Plan:
        rng = self.rng
        pattern, naf_code, types = rng.choice(cat.COMPANY_ACTIVITIES)
        postal_code, city = ids.place(rng, cat.DEPARTMENTS)
        family = self._last_name()
        legal_name = pattern.format(name=family, city=city)
        company_type = rng.choice(types)
        domain = _ascii_word(legal_name).replace("-", "")[:24] + ".fr"
        siren = ids.siren(rng, public=company_type == CompanyType.PUBLIC)
        company = company_build(
            workspace_id=self.workspace_id,
            legal_name=legal_name,
            trade_name=f"{family.upper()} {rng.choice(('Services', 'Express', 'Pro', 'Groupe'))}"
            if rng.random() < 0.25 and company_type != CompanyType.PUBLIC
            else "",
            siren=siren,
            siret=ids.siret(rng, siren),
            naf_code=naf_code,
            company_type=company_type,
            fleet_size=self._weighted(FLEET_SIZES),
            street=self._street(),
            address_complement=rng.choice(cat.BUSINESS_ADDRESSES) if rng.random() < 0.35 else "",
            postal_code=postal_code,
            city=city,
            phone_landline=ids.landline_phone(rng, postal_code) if rng.random() < 0.9 else "",
            phone_mobile=ids.mobile_phone(rng) if rng.random() < 0.3 else "",
            email=f"{rng.choice(cat.COMPANY_MAILBOXES)}@{domain}" if rng.random() < 0.85 else "",
        )
        self._consents(company, sms=0.2, phone=0.6, email=0.6, mail=0.6, since=since)
        staff = []
        leader = cat.LEADER_ROLES.get(company_type, cat.DEFAULT_LEADER_ROLE)
        for roles in [leader, *rng.sample(cat.STAFF_ROLES, rng.randint(0, 2))]:
            male = rng.random() < 0.55
            role = roles[0] if male else roles[1]
            first, last = self._first_name(male), self._last_name()
            person = person_build(
                workspace_id=self.workspace_id,
                civility="M" if male else "MME",
                first_name=first,
                last_name=last,
                email=f"{self._email_local(first, last)}@{domain}" if rng.random() < 0.85 else "",
                phone_mobile=ids.mobile_phone(rng) if rng.random() < 0.85 else "",
            )
            staff.append((person, role))
        if (
            self.companies
            and company_type not in {CompanyType.PUBLIC, CompanyType.EI}
            and rng.random() < 0.06
        ):
            company.parent = rng.choice(self.companies)  # a subsidiary
        self.companies.append(company)
        customer = Customer(
            workspace_id=self.workspace_id,
            kind=CustomerKind.COMPANY,
            company=company,
            identity_key=self.new_identity_key(),
        )
        return Plan(customer=customer, contact=company, staff=staff)

    def _duplicate(self, original: Plan) -> Plan:
        """The same person entered a second time, as a web form would: an anomaly to merge."""
        rng, source = self.rng, original.contact
        email = source.email.upper() if source.email and rng.random() < 0.6 else ""
        person = person_build(
            workspace_id=self.workspace_id,
            civility=source.civility,
            first_name=source.first_name,
            last_name=source.last_name.upper() if rng.random() < 0.4 else source.last_name,
            birth_date=source.birth_date if rng.random() < 0.5 else None,
            postal_code=source.postal_code,
            city=source.city,
            street=source.street.replace(" ", ", ", 1) if rng.random() < 0.5 else "",
            phone_mobile=source.phone_mobile,
            email=email,
        )
        customer = Customer(
            workspace_id=self.workspace_id,
            kind=CustomerKind.INDIVIDUAL,
            person=person,
            source=CustomerSource.WEBSITE,
            identity_key=original.customer.identity_key,  # the same person
        )
        return Plan(customer=customer, contact=person)

    # --- leads ---------------------------------------------------------------------------

    def lead(self, lead_type: str | None = None) -> Lead:
        """A lead emitted on a working day of the 21 days before today; some come from
        people already in the base (``self.recent``)."""
        rng = self.rng
        lead_type = lead_type or self._weighted(LEAD_TYPES)
        emitted_on = self.today - timedelta(days=int(rng.triangular(1, 21.99, 1)))
        emitted_on = previous_working_day(emitted_on)
        if emitted_on < self.today - timedelta(days=21):
            emitted_on = next_working_day(self.today - timedelta(days=21))
        if self.recent and rng.random() < 0.15:
            known = rng.choice(self.recent).contact
            first, last, email = known.first_name, known.last_name, known.email
            phone = known.phone_mobile or known.phone_landline
        else:
            male = rng.random() < 0.5
            first, last = self._first_name(male), self._last_name()
            email = (
                f"{self._email_local(first, last)}@{self._email_domain()}"
                if rng.random() < 0.85
                else ""
            )
            phone = ids.mobile_phone(rng) if rng.random() < 0.8 else ""
        car = self._pick_car(year=self.today.year)
        age = (self.today - emitted_on).days
        status = LeadStatus.NEW
        if age >= 3:
            status = rng.choices(
                (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.LOST), weights=(45, 45, 10)
            )[0]
        return Lead(
            workspace_id=self.workspace_id,
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            lead_type=lead_type,
            emitted_at=self.at(emitted_on, rng.randint(8, 19), rng.randint(0, 59)),
            vehicle_of_interest=f"{car.make} {car.model}",
            message=cat.LEAD_MESSAGES[lead_type],
            status=status,
        )

    def leads(self, count: int) -> list[Lead]:
        """``count`` leads; with nine or more, every lead type is there at least once."""
        types = list(LEAD_TYPES)
        self.rng.shuffle(types)
        return [self.lead(types[i] if i < len(types) else None) for i in range(count)]
