"""A generated French contact base with households, namesakes and duplicates, for the
de-duplication bench (``bench/dedup.py``, set ``households``) and the engine's tests.

People live in households drawn as in a French town: single people, couples (most with one
surname, some with two), couples with adult children, single parents with an adult child,
adult siblings sharing a flat (a few twins). A household shares its address and often its
landline, sometimes a family e-mail address (``famille.martin@…``) that every member gave. A
few couples have gendered first names of one root (Michel and Michèle), a few fathers and sons
the same first name (born 25–35 years apart). Some people have a namesake — same first and
last name — living elsewhere, born another day.

Then some people were entered again, and their copies damaged the way address books are:
typos in a name, first and last names swapped, a compound first name shortened or given as
initials, upper case and no accents, a birth date missing or with a typo (two digits, day
and month swapped), moved house (new address and landline, often the same mobile or
e-mail), a field left empty, the phone written ``+33…``, the street abbreviated.

``households_base(people, seed)`` returns ``(records, truth)``: engine input mappings (``id``,
``first_name``, ``last_name``, ``birth_date``, ``email``, ``phone`` as a list, ``street``,
``postal_code``, ``city``) and the set of true pairs (frozensets of two ids). ``kinds`` tells
what each non-matching related pair is (household, twins, namesake), for the tests.
"""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker
from faker.providers.person import fr_FR

TODAY = date(2025, 6, 15)
# Gendered first names of one root: a couple of them is a household, not a typo.
GENDERED = (
    ("Michel", "Michèle"),
    ("Pascal", "Pascale"),
    ("Daniel", "Danielle"),
    ("Jean", "Jeanne"),
    ("Louis", "Louise"),
    ("Frédéric", "Frédérique"),
    ("Dominique", "Dominique"),  # one name for both: the birth date tells them apart
    ("René", "Renée"),
    ("André", "Andrée"),
    ("Claude", "Claude"),
)
NICKNAMES = (
    ("Jean-Pierre", "J-P"),
    ("Jean-Pierre", "Jean"),
    ("Marie-Claire", "Marie"),
    ("Anne-Sophie", "A-S"),
    ("Jean-Luc", "Jean"),
)
MAIL_DOMAINS = ("orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr", "wanadoo.fr")
STREET_ABBREVIATIONS = {"Rue": "r.", "Avenue": "av.", "Boulevard": "bd", "Place": "pl."}


@dataclass
class Person:
    pid: int
    first: str
    last: str
    sex: str
    birth: date
    mobile: str
    email: str
    home: "Home"
    records: list[str] = field(default_factory=list)


@dataclass
class Home:
    street: str
    postal_code: str
    city: str
    landline: str
    family_email: str


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c))


def _mail_word(text: str) -> str:
    return "".join(c for c in _plain(text).lower() if c.isalnum() or c == "-").strip("-")


class HouseholdDrawer:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.faker = Faker("fr_FR")
        self.faker.seed_instance(seed)
        self.male = [n for n in fr_FR.Provider.first_names_male if " " not in n]
        self.female = [n for n in fr_FR.Provider.first_names_female if " " not in n]
        self.lasts = list(fr_FR.Provider.last_names)
        self.people: list[Person] = []
        self.kinds: dict[frozenset, str] = {}  # person ids → relation, for the tests
        self.mailboxes: set[str] = set()

    # --- small draws -------------------------------------------------------------------

    def phone(self, mobile: bool) -> str:
        rng = self.rng
        head = rng.choice("67") if mobile else rng.choice("12345")
        digits = f"0{head}{rng.randrange(10**8):08d}"
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))

    def home(self) -> Home:
        rng, faker = self.rng, self.faker
        street = f"{rng.randint(1, 180)} {faker.street_name()}"
        postal = faker.postcode()
        return Home(
            street=street,
            postal_code=postal,
            city=faker.city(),
            landline=self.phone(mobile=False) if rng.random() < 0.55 else "",
            family_email="",
        )

    def birth(self, low: int, high: int) -> date:
        """A birth date of someone aged between ``low`` and ``high``."""
        days = self.rng.randint(low * 365, high * 365)
        return TODAY - timedelta(days=days)

    def first_name(self, sex: str, taken: set[str]) -> str:
        pool = self.male if sex == "M" else self.female
        while True:
            name = self.rng.choice(pool)
            if name not in taken:
                return name

    def person(self, home: Home, *, sex: str, last: str, birth: date, first: str = "") -> Person:
        rng = self.rng
        taken = {p.first for p in self.people[-6:] if p.home is home}
        first = first or self.first_name(sex, taken)
        mobile = self.phone(mobile=True) if rng.random() < 0.8 else ""
        email = ""
        if home.family_email and rng.random() < 0.8:
            email = home.family_email
        elif rng.random() < 0.7:
            email = (
                f"{_mail_word(first)}.{_mail_word(last)}{rng.choice(['', str(rng.randrange(100))])}"
                f"@{rng.choice(MAIL_DOMAINS)}"
            )
            while email in self.mailboxes:  # a mailbox is one person's (a namesake's is not)
                email = email.replace("@", f"{rng.randrange(10)}@")
            self.mailboxes.add(email)
        person = Person(len(self.people), first, last, sex, birth, mobile, email, home)
        for other in self.people[-6:]:
            if other.home is home:
                self.kinds[frozenset((other.pid, person.pid))] = (
                    "twins" if other.birth == birth else "household"
                )
        self.people.append(person)
        return person

    # --- households --------------------------------------------------------------------

    def household(self) -> None:
        rng = self.rng
        home = self.home()
        kind = rng.choices(
            ("single", "couple", "family", "parent", "siblings"), weights=(34, 26, 22, 9, 9)
        )[0]
        if kind != "single" and rng.random() < 0.3:
            home.family_email = (
                f"{rng.choice(['famille.', 'fam.', ''])}{_mail_word(rng.choice(self.lasts))}"
                f"@{rng.choice(MAIL_DOMAINS)}"
            )
        last = rng.choice(self.lasts)
        if kind == "single":
            self.person(home, sex=rng.choice("MF"), last=last, birth=self.birth(20, 90))
            return
        if kind == "siblings":
            first_birth = self.birth(19, 45)
            for index in range(rng.choice((2, 2, 3))):
                twin = index == 1 and rng.random() < 0.03  # about the French twin rate
                gap = 0 if twin else rng.randint(300, 9 * 365)
                birth = first_birth + timedelta(days=gap) if index else first_birth
                self.person(home, sex=rng.choice("MF"), last=last, birth=birth)
            return
        parent_birth = self.birth(42, 75)
        if kind == "parent":
            parents = [self.person(home, sex=rng.choice("MF"), last=last, birth=parent_birth)]
        else:
            gendered = rng.random() < 0.06
            first_m, first_f = rng.choice(GENDERED) if gendered else ("", "")
            father = self.person(home, sex="M", last=last, birth=parent_birth, first=first_m)
            partner_last = last if rng.random() < 0.8 else rng.choice(self.lasts)
            partner_birth = parent_birth + timedelta(days=rng.randint(-8 * 365, 8 * 365))
            self.person(home, sex="F", last=partner_last, birth=partner_birth, first=first_f)
            parents = [father]
        if kind == "couple":
            return
        parent = parents[0]
        for index in range(rng.choice((1, 1, 2, 3))):
            age_at_birth = rng.randint(22, 38)
            birth = parent.birth + timedelta(days=age_at_birth * 365 + rng.randint(0, 364))
            if birth > TODAY - timedelta(days=18 * 365):
                continue  # a minor: not a customer of the file
            junior = index == 0 and parent.sex == "M" and rng.random() < 0.02
            self.person(
                home,
                sex="M" if junior else rng.choice("MF"),
                last=last,
                birth=birth,
                first=parent.first if junior else "",
            )

    def namesake(self, person: Person) -> None:
        """Someone else with the same first and last name, living elsewhere (sometimes in
        the same town), born another day."""
        home = self.home()
        if self.rng.random() < 0.3:
            home.postal_code, home.city = person.home.postal_code, person.home.city
        birth = self.birth(20, 90)
        while birth == person.birth:
            birth = self.birth(20, 90)
        other = self.person(home, sex=person.sex, last=person.last, birth=birth, first=person.first)
        self.kinds[frozenset((person.pid, other.pid))] = "namesake"


# --- records and their damage ----------------------------------------------------------------


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # a letter dropped
        return text[:i] + text[i + 1 :]
    if kind == 1:  # a letter doubled
        return text[:i] + text[i] + text[i:]
    if kind == 2:  # two letters swapped
        return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]
    return text[:i] + rng.choice("aeioulnrst") + text[i + 1 :]  # one letter wrong


def _record(person: Person, rid: str, rng: random.Random, clean: bool) -> dict:
    """The record as first entered: most fields, some left empty even then."""
    home = person.home
    phones = [p for p in (person.mobile, home.landline) if p]
    return {
        "id": rid,
        "first_name": person.first,
        "last_name": person.last,
        "birth_date": ""
        if not clean and rng.random() < 0.22
        else person.birth.strftime(rng.choice(("%Y-%m-%d", "%d/%m/%Y"))),
        "email": person.email if clean or rng.random() < 0.9 else "",
        "phone": phones,
        "street": home.street,
        "postal_code": home.postal_code,
        "city": home.city,
    }


def _damage(
    rng: random.Random, record: dict, drawer: HouseholdDrawer, done: list | None = None
) -> dict:
    """A damaged copy of ``record``; ``done``, a list, receives the kinds of damage drawn."""
    copy = dict(record, phone=list(record["phone"]))
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        kind = rng.choices(
            (
                "typo_last",
                "typo_first",
                "swap",
                "nickname",
                "case",
                "birth_missing",
                "birth_typo",
                "moved",
                "email_missing",
                "phone_missing",
                "phone_format",
                "street_abbrev",
                "new_email",
            ),
            weights=(14, 12, 8, 4, 8, 10, 8, 10, 6, 6, 6, 5, 3),
        )[0]
        if done is not None:
            done.append(kind)
        if kind == "typo_last":
            copy["last_name"] = _typo(rng, copy["last_name"])
        elif kind == "typo_first":
            copy["first_name"] = _typo(rng, copy["first_name"])
        elif kind == "swap":
            copy["first_name"], copy["last_name"] = copy["last_name"], copy["first_name"]
        elif kind == "nickname":
            for full, short in NICKNAMES:
                if copy["first_name"] == full:
                    copy["first_name"] = short
                    break
            else:
                if rng.random() < 0.3:
                    copy["first_name"] = copy["first_name"][:1] + "."
                else:
                    copy["first_name"] = _plain(copy["first_name"]).lower()
        elif kind == "case":
            copy["last_name"] = _plain(copy["last_name"]).upper()
            copy["first_name"] = _plain(copy["first_name"])
        elif kind == "birth_missing":
            copy["birth_date"] = ""
        elif kind == "birth_typo" and copy["birth_date"]:
            text = copy["birth_date"]
            if rng.random() < 0.4 and "-" in text:  # day and month swapped
                year, month, day = text.split("-")
                if int(day) <= 12:
                    copy["birth_date"] = f"{year}-{day}-{month}"
                    continue
            digits = [i for i, c in enumerate(text) if c.isdigit()]
            i = rng.choice(digits[-4:] if "/" not in text else digits[:4])
            copy["birth_date"] = text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]
        elif kind == "moved":
            home = drawer.home()
            copy["street"], copy["postal_code"], copy["city"] = (
                home.street,
                home.postal_code,
                home.city,
            )
            copy["phone"] = [p for p in copy["phone"][:1] if rng.random() < 0.75]
            if home.landline and rng.random() < 0.5:
                copy["phone"].append(home.landline)
            if rng.random() < 0.3:
                copy["email"] = ""
        elif kind == "email_missing":
            copy["email"] = ""
        elif kind == "phone_missing":
            copy["phone"] = copy["phone"][1:]
        elif kind == "phone_format" and copy["phone"] and copy["phone"][0].startswith("0"):
            copy["phone"][0] = "+33 " + copy["phone"][0].replace(" ", "")[1:]
        elif kind == "street_abbrev":
            number, _, rest = copy["street"].partition(" ")
            word, _, tail = rest.partition(" ")
            copy["street"] = f"{number}, {STREET_ABBREVIATIONS.get(word, word)} {tail}"
        elif kind == "new_email":
            copy["email"] = (
                f"{_mail_word(copy['first_name'])}{rng.randrange(10, 99)}@{rng.choice(MAIL_DOMAINS)}"
            )
    return copy


def households_base(
    people: int = 20_000,
    seed: int = 2025,
    duplicate_share: float = 0.16,
    damages: dict | None = None,
):
    """``(records, truth, kinds)``: about ``people`` people in households, 4 % of them with a
    namesake elsewhere, ``duplicate_share`` of them entered more than once (damaged copies).
    ``kinds`` maps a pair of record ids of two different related people to ``household``,
    ``twins`` or ``namesake`` (first records only). ``damages``, a dict, receives each
    copy's id → the kinds of damage it took (for the bench's error analysis); it draws
    nothing, so the base is the same with or without it."""
    drawer = HouseholdDrawer(seed)
    rng = drawer.rng
    while len(drawer.people) < people:
        drawer.household()
        if rng.random() < 0.04 and drawer.people:
            drawer.namesake(drawer.people[-1])
    records, truth = [], set()
    for person in drawer.people:
        first = _record(person, f"p{person.pid}", rng, clean=False)
        records.append(first)
        person.records.append(first["id"])
        if rng.random() < duplicate_share:
            for n in range(rng.choice((1, 1, 1, 2))):
                done: list[str] = []
                copy = _damage(rng, first, drawer, done)
                copy["id"] = f"p{person.pid}d{n}"
                if damages is not None:
                    damages[copy["id"]] = done
                for other in person.records:
                    truth.add(frozenset((other, copy["id"])))
                person.records.append(copy["id"])
                records.append(copy)
    rng.shuffle(records)
    kinds = {
        frozenset(drawer.people[i].records[0] for i in pair): kind
        for pair, kind in drawer.kinds.items()
    }
    return records, truth, kinds
