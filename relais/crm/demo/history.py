"""Drawing a customer's story: vehicles, invoices, workshop visits, activities and notes.

Each customer follows one scenario (a prospect, a buyer with or without after-sales visits,
an after-sales-only or parts-shop customer, a company renewing its fleet) whose dates hang
together: prospecting before the purchase, the first service about a year after delivery,
the mileage growing with each visit, reminders before the visits they announce.
"""

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal

from relais.core.contacts.models import FleetSize
from relais.core.workspaces.models import Workspace
from relais.crm.calendar import next_working_day, previous_working_day
from relais.crm.demo import catalogue as cat
from relais.crm.demo import identifiers as ids
from relais.crm.demo.anomalies import ANOMALY_EVERY, AnomalyMaker
from relais.crm.demo.people import PeopleDrawer
from relais.crm.demo.plan import LineValues, Plan
from relais.crm.models import (
    Activity,
    ActivityOutcome,
    CustomerStatus,
    Invoice,
    InvoiceKind,
    Note,
    Vehicle,
)

COMPANY_SHARE = 0.15
CAMPAIGN_REACH = 0.15  # the share of consenting contacts a campaign targets
CAMPAIGN_UNTARGETED = 0.4  # contacts outside every campaign's target (no vehicle of interest…)
# A file with no recorded contact yet is a fresh one (a walk-in not called back yet): it
# was opened in the last six weeks.
FILE_AGE_MIN_DAYS = 1
FILE_AGE_SPREAD_DAYS = 42
CENT = Decimal("0.01")
VAT = Decimal("20.00")
NO_VAT = Decimal("0.00")
INVOICE_PREFIXES = {
    InvoiceKind.NEW_VEHICLE: "FVN",
    InvoiceKind.USED_VEHICLE: "FVO",
    InvoiceKind.AFTER_SALES: "FAT",
    InvoiceKind.PARTS: "FMG",
}
INDIVIDUAL_SCENARIOS = {"prospect": 30, "purchase": 15, "purchase_apv": 30, "apv": 17, "parts": 8}
COMPANY_SCENARIOS = {"prospect": 25, "fleet": 60, "apv": 15}
# The share of a company's fleet the dealer sees, by fleet size.
FLEET_VEHICLES = {
    FleetSize.SMALL: (1, 2),
    FleetSize.MEDIUM: (2, 3),
    FleetSize.LARGE: (3, 4),
    FleetSize.FLEET: (4, 6),
}
# How customers first came, by scenario.
SOURCES = {
    "prospect": {"showroom": 25, "website": 30, "phone": 15, "referral": 10, "event": 8, "lead": 12},
    "purchase": {"showroom": 35, "website": 25, "referral": 15, "phone": 10, "event": 5, "lead": 10},
    "apv": {"after_sales": 70, "showroom": 10, "website": 10, "phone": 10},
    "parts": {"after_sales": 50, "showroom": 30, "other": 20},
    "company": {"fleet": 50, "phone": 20, "referral": 15, "website": 15},
}  # fmt: skip
UTILITY_TRADES = ("49.41A", "43.22A", "43.21A", "43.99C", "81.21Z", "81.30Z", "46.90Z")


def _line(label: str, unit_price, quantity=1, vat_rate: Decimal = VAT) -> LineValues:
    return LineValues(
        label=label[:200],
        quantity=Decimal(quantity),
        unit_price_excl_tax=Decimal(unit_price).quantize(CENT),
        vat_rate=vat_rate,
    )


class CustomerDrawer(PeopleDrawer):
    """Draws whole customers: a contact (see ``PeopleDrawer``) and their history."""

    def __init__(
        self,
        *,
        workspace: Workspace,
        seed: int,
        today: date,
        owner,
        invoice_start: int,
        plates: set,
        identity_salt: int = 0,
    ):
        super().__init__(
            workspace=workspace, seed=seed, today=today, owner=owner, identity_salt=identity_salt
        )
        self.invoice_seq = invoice_start  # invoice numbers go on from those already issued
        self.plates = plates  # plates already given in the workspace
        self.drawn = 0
        self.campaign_calendar: list | None = None
        self.anomaly_maker = AnomalyMaker(self)
        self.anomalies: list[dict] = []  # the deliberate defects drawn so far

    # --- vehicles and invoices -----------------------------------------------------------

    def _vehicle(
        self, plan: Plan, car: cat.CarModel, registered_on: date, usage: str
    ) -> tuple[Vehicle, cat.Engine]:
        rng = self.rng
        engine = rng.choice(car.engines)
        plate = ids.plate(rng, registered_on)
        while plate in self.plates:
            plate = ids.plate(rng, registered_on)
        self.plates.add(plate)
        vehicle = Vehicle(
            workspace_id=self.workspace_id,
            customer=plan.customer,
            make=car.make,
            model=car.model,
            trim=rng.choice(car.trims),
            energy=engine.energy,
            plate=plate,
            vin=ids.vin(rng, car.wmi, car.code, registered_on.year),
            first_registration_date=registered_on,
            usage=usage,
        )
        plan.vehicles.append(vehicle)
        return vehicle, engine

    def _usage(self, plan: Plan) -> str:
        if not plan.is_company:
            return self.rng.choices(("private", "commute", "business"), weights=(55, 40, 5))[0]
        if plan.contact.naf_code == "49.32Z":
            return "taxi"
        return self.rng.choice(("fleet", "business"))

    def _annual_km(self, plan: Plan, usage: str) -> int:
        """How far the customer drives a year: drawn once, the same for all their vehicles,
        so that workshop mileages and the note's daily mileage agree."""
        if plan.annual_km is None:
            if usage == "taxi":
                plan.annual_km = self.rng.randint(55_000, 90_000)
            elif plan.is_company:
                plan.annual_km = self.rng.randint(15_000, 45_000)
            else:
                plan.annual_km = int(self.rng.triangular(4_000, 32_000, 11_000))
        return plan.annual_km

    def _invoice(
        self,
        plan: Plan,
        kind: str,
        issued_on: date,
        lines: list[LineValues],
        vehicle=None,
        mileage=None,
    ) -> Invoice:
        self.invoice_seq += 1
        invoice = Invoice(
            workspace_id=self.workspace_id,
            customer=plan.customer,
            vehicle=vehicle,
            kind=kind,
            number=f"{INVOICE_PREFIXES[kind]}{issued_on:%y}-{self.invoice_seq:06d}",
            issued_on=issued_on,
            mileage=mileage,
        )
        invoice.total_excl_tax = sum((line.total_excl_tax for line in lines), Decimal("0"))
        invoice.total_incl_tax = sum((line.total_incl_tax for line in lines), Decimal("0"))
        plan.invoices.append((invoice, lines))
        return invoice

    def _finance(self, plan: Plan, vehicle: Vehicle, price: int, on: date, used: bool) -> None:
        rng = self.rng
        if plan.is_company:
            kind = rng.choices(("lld", "lease", "cash", "loan"), weights=(45, 30, 15, 10))[0]
        elif used:
            kind = rng.choices(("cash", "loan"), weights=(55, 45))[0]
        else:
            kind = rng.choices(("cash", "loan", "loa", "lld"), weights=(35, 25, 30, 10))[0]
        vehicle.financing_type = kind
        if kind == "cash":
            return
        vehicle.financing_date = on
        vehicle.financing_amount = Decimal(round(price * rng.uniform(0.5, 1.0), -2))
        vehicle.financing_months = rng.choice(
            (24, 36, 48, 60) if kind != "loan" else (24, 36, 48, 60, 72, 84)
        )

    def _purchase(
        self, plan: Plan, on: date, *, used: bool, utility: bool = False
    ) -> tuple[Vehicle, int]:
        """A vehicle sold on ``on`` with its VN or VO invoice; returns it and its odometer."""
        rng = self.rng
        if used:
            age_days = rng.randint(300, 8 * 365)
            registered_on = on - timedelta(days=age_days)
            car = self._pick_car(year=registered_on.year, utility=utility)
        else:
            # Registered on delivery, at or after the invoice.
            registered_on = min(on + timedelta(days=rng.randint(0, 4)), self.today)
            car = self._pick_car(year=registered_on.year, utility=utility, dealer_share=0.85)
        vehicle, engine = self._vehicle(plan, car, registered_on, self._usage(plan))
        list_price = engine.price * (1 + 0.07 * car.trims.index(vehicle.trim))
        if used:
            years = (on - registered_on).days / 365.25
            odometer = int(self._annual_km(plan, vehicle.usage) * years * rng.uniform(0.8, 1.2))
            price = max(
                int(round(list_price * 0.86**years * rng.uniform(0.92, 1.05), -2)) - 10, 3_990
            )
            kind, label = (
                InvoiceKind.USED_VEHICLE,
                f"{car.make} {car.model} {engine.label} {vehicle.trim} d'occasion",
            )
        else:
            odometer = rng.randint(5, 60)
            price = int(round(list_price, -2)) - 100 * rng.randint(0, 3)
            kind, label = (
                InvoiceKind.NEW_VEHICLE,
                f"{car.make} {car.model} {engine.label} {vehicle.trim}",
            )
        lines = [_line(f"{label} — {vehicle.vin}", Decimal(price) / Decimal("1.2"))]
        if not used:
            lines.append(_line("Frais de mise à la route", rng.choice((390, 490, 590, 690))))
        elif rng.random() < 0.6:
            lines.append(_line("Garantie VO 12 mois", rng.choice((190, 290, 390))))
        lines.append(
            _line("Certificat d'immatriculation (taxes)", rng.randint(15, 60) * 10, vat_rate=NO_VAT)
        )
        if rng.random() < 0.3:
            item, (low, high) = rng.choice(cat.SHOP_ITEMS)
            lines.append(_line(item, rng.randint(low, high)))
        self._invoice(plan, kind, on, lines, vehicle=vehicle, mileage=odometer)
        self._finance(plan, vehicle, price, on, used)
        return vehicle, odometer

    def _workshop_lines(self, energy: str, first_visit: bool) -> list[LineValues]:
        rng = self.rng
        electric = energy == "electric"
        operations = [
            op
            for op in cat.WORKSHOP_OPERATIONS
            if not (electric and op[3])
            and (op[0] != "Contrôle de la batterie de traction" or electric or energy == "phev")
        ]
        chosen = rng.sample(operations, rng.randint(1, 4))
        if first_visit and rng.random() < 0.7 and cat.WORKSHOP_OPERATIONS[0] not in chosen:
            chosen[0] = cat.WORKSHOP_OPERATIONS[0]
        lines = []
        for label, (low, high), (q_low, q_high), _ in chosen:
            lines.append(
                _line(
                    label,
                    Decimal(rng.randint(low * 100, high * 100)) / 100,
                    rng.randint(q_low, q_high),
                )
            )
        return lines

    def _after_sales(
        self, plan: Plan, vehicle: Vehicle, *, first_visit: date, odometer: int, since: date
    ) -> None:
        """Workshop visits from ``first_visit`` to today, every 8 to 15 months; the mileage
        grows by the customer's daily mileage (within 10 %) since ``since``, when the vehicle
        read ``odometer``."""
        rng = self.rng
        daily_km = self._annual_km(plan, vehicle.usage) / 365.25
        visit, last_km, last_day, count = first_visit, odometer, since, 0
        while visit < self.today and count < 8:
            driven = daily_km * (visit - last_day).days * rng.uniform(0.9, 1.1)
            mileage = last_km + max(1, int(driven))
            if rng.random() < 0.35:
                day = previous_working_day(visit - timedelta(days=rng.randint(15, 30)))
                self._reminder(plan, vehicle, day)
            lines = self._workshop_lines(vehicle.energy, count == 0)
            self._invoice(
                plan, InvoiceKind.AFTER_SALES, visit, lines, vehicle=vehicle, mileage=mileage
            )
            last_km, last_day, count = mileage, visit, count + 1
            if rng.random() < 0.12:
                break  # the customer stopped coming
            visit = self._date_between(visit + timedelta(days=240), visit + timedelta(days=450))

    def _shop(self, plan: Plan, on: date) -> None:
        lines = [
            _line(
                label,
                Decimal(self.rng.randint(low * 100, high * 100)) / 100,
                self.rng.choice((1, 1, 1, 2)),
            )
            for label, (low, high) in self.rng.sample(cat.SHOP_ITEMS, self.rng.randint(1, 3))
        ]
        self._invoice(plan, InvoiceKind.PARTS, on, lines)

    # --- activities and notes ------------------------------------------------------------

    def _reachable_kind(self, plan: Plan, kind: str) -> str:
        contact = plan.contact
        phone = contact.phone_mobile or contact.phone_landline
        allowed = {
            "call": bool(phone),
            "sms": bool(contact.phone_mobile) and contact.consent_sms,
            "email": bool(contact.email),
            "campaign": bool(contact.email) and contact.consent_email,
        }.get(kind, True)
        if allowed:
            return kind
        return "call" if phone else "letter"

    def _activity(
        self,
        plan: Plan,
        kind: str,
        subject: str,
        day: date,
        outcome: str,
        *,
        follow_up=None,
        direction="out",
    ) -> Activity:
        kind = self._reachable_kind(plan, kind)
        if kind == "campaign" and not subject.startswith("Campagne"):
            subject = f"Campagne e-mail : {subject[0].lower()}{subject[1:]}"
        activity = Activity(
            workspace_id=self.workspace_id,
            customer=plan.customer,
            kind=kind,
            direction=direction,
            subject=subject,
            occurred_at=self._business_time(day),
            owner_id=self.owner_id,
            outcome=outcome,
            next_follow_up_on=follow_up,
        )
        plan.activities.append(activity)
        return activity

    def _reminder(self, plan: Plan, vehicle: Vehicle, day: date) -> None:
        kind = self.rng.choice(("letter", "sms", "email"))
        subject = f"Rappel : entretien de votre {vehicle.make} {vehicle.model}"
        self._activity(plan, kind, subject, day, ActivityOutcome.DONE)

    def _prospecting(self, plan: Plan, purchase_on: date) -> None:
        """Prospecting steps in the weeks before the purchase, each planning the next."""
        rng = self.rng
        steps = [step for step in cat.PROSPECTING_STEPS if rng.random() < 0.6]
        if not steps:
            return
        days = sorted(rng.sample(range(3, 50), len(steps)), reverse=True)
        dates = [previous_working_day(purchase_on - timedelta(days=d)) for d in days]
        for index, ((kind, subject, outcome), day) in enumerate(zip(steps, dates, strict=True)):
            # The last step planned no call: the sale that followed was its outcome (a
            # follow-up left open on the purchase day would stay overdue for years).
            follow_up = dates[index + 1] if index + 1 < len(dates) else None
            direction = "in" if subject.startswith("Premier contact") else "out"
            self._activity(
                plan, kind, subject, day, outcome, follow_up=follow_up, direction=direction
            )

    def _satisfaction_call(self, plan: Plan, delivered_on: date) -> None:
        day = next_working_day(delivered_on + timedelta(days=self.rng.randint(7, 21)))
        if day < self.today and self.rng.random() < 0.6:
            outcome = self.rng.choice(
                (ActivityOutcome.REACHED, ActivityOutcome.REACHED, ActivityOutcome.MESSAGE_LEFT)
            )
            self._activity(plan, "call", "Appel de satisfaction après livraison", day, outcome)

    def _prospect_follow_ups(self, plan: Plan) -> None:
        rng = self.rng
        count = rng.choices((0, 1, 2, 3, 4), weights=(20, 30, 25, 15, 10))[0]
        days = sorted(self._days_ago(1, 180) for _ in range(count))
        for index, day in enumerate(days):
            kind, subject, outcomes = rng.choice(cat.PROSPECT_ACTIVITIES)
            if index + 1 < len(days):
                follow_up = days[index + 1]
            elif rng.random() < 0.75:
                # The agenda: most prospects have a follow-up to come, some are overdue.
                follow_up = next_working_day(
                    max(day, self.today + timedelta(days=rng.randint(-10, 30)))
                )
            else:
                follow_up = None
            self._activity(plan, kind, subject, day, rng.choice(outcomes), follow_up=follow_up)

    def _note(self, plan: Plan, day: date) -> None:
        rng = self.rng
        car = self._pick_car(year=self.today.year)
        note = Note(
            workspace_id=self.workspace_id,
            customer=plan.customer,
            author_id=self.owner_id,
            wished_vehicles=f"{car.make} {car.model} {rng.choice(car.engines).label}",
            projects=rng.choice(cat.NOTE_PROJECTS),
            expectations=rng.choice(cat.NOTE_EXPECTATIONS),
            household_size=None
            if plan.is_company
            else rng.choices((1, 2, 3, 4, 5, 6), weights=(20, 30, 20, 18, 8, 4))[0],
            interests=""
            if plan.is_company
            else ", ".join(rng.sample(cat.NOTE_INTERESTS, rng.randint(1, 3))),
            daily_mileage_km=max(1, round(self._annual_km(plan, "private") / 365.25)),
        )
        plan.notes.append(note)

    def _campaign_calendar(self) -> list[tuple[date, str, str]]:
        """Every campaign sent in the two years before today, on a working day, oldest first."""
        start = self.today - timedelta(days=cat.CAMPAIGN_HISTORY_DAYS)
        sent = [
            (next_working_day(date(year, month, day)), kind, subject)
            for year in range(start.year, self.today.year + 1)
            for month, day, kind, subject in cat.CAMPAIGNS
        ]
        return sorted(entry for entry in sent if start <= entry[0] < self.today)

    def _campaigns(self, plan: Plan) -> None:
        """The campaigns this contact received: only on a channel they had accepted, on or
        after the day they accepted it."""
        contact = plan.contact
        if contact.consent_updated_at is None or self.rng.random() < CAMPAIGN_UNTARGETED:
            return
        if self.campaign_calendar is None:
            self.campaign_calendar = self._campaign_calendar()
        rng, since = self.rng, contact.consent_updated_at.date()
        for sent_on, kind, subject in self.campaign_calendar:
            if (
                sent_on >= since
                and getattr(contact, cat.CAMPAIGN_CONSENTS[kind])
                and rng.random() < CAMPAIGN_REACH
            ):
                self._activity(plan, kind, subject, sent_on, ActivityOutcome.DONE)

    # --- customers -----------------------------------------------------------------------

    def customer(self) -> Plan:
        """The next customer; one in ``ANOMALY_EVERY`` carries a deliberate anomaly (see
        ``relais.crm.demo.anomalies``), recorded in ``self.anomalies``."""
        rng = self.rng
        self.drawn += 1
        if self.drawn % ANOMALY_EVERY == 0:
            plan = self.anomaly_maker.draw()
            if plan is not None:
                self._finish(plan)
                return plan
        if rng.random() < COMPANY_SHARE:
            plan = self._company(self._days_ago(30, 8 * 365))
            self._company_history(plan)
        else:
            plan = self.individual_with_history()
            self.recent.append(plan)
        self._finish(plan)
        return plan

    def individual_with_history(self, alter=None) -> Plan:
        """An individual and their story; ``alter(plan)`` changes the contact first, as it
        was entered, so that the story follows what the file says."""
        plan = self._individual(self._days_ago(30, 8 * 365))
        if alter is not None:
            alter(plan)
        self._individual_history(plan)
        return plan

    def _individual_history(self, plan: Plan) -> None:
        rng = self.rng
        scenario = self._weighted(INDIVIDUAL_SCENARIOS)
        sources = SOURCES.get(scenario, SOURCES["purchase"])
        plan.customer.source = self._weighted(sources)
        if scenario == "prospect":
            if rng.random() < 0.5:  # the car they drive today, a trade-in candidate
                registered_on = self._days_ago(365, 12 * 365)
                self._vehicle(
                    plan, self._pick_car(year=registered_on.year), registered_on, self._usage(plan)
                )
            self._prospect_follow_ups(plan)
            if rng.random() < 0.6:
                self._note(plan, self._days_ago(1, 120))
        elif scenario in {"purchase", "purchase_apv"}:
            latest = 10 if scenario == "purchase" else 430  # late enough for a first service
            bought_on = self._days_ago(latest, 7 * 365)
            self._prospecting(plan, bought_on)
            vehicle, odometer = self._purchase(plan, bought_on, used=rng.random() < 0.45)
            self._satisfaction_call(plan, bought_on)
            if scenario == "purchase_apv":
                first = self._date_between(
                    bought_on + timedelta(days=300), bought_on + timedelta(days=420)
                )
                self._after_sales(
                    plan, vehicle, first_visit=first, odometer=odometer, since=bought_on
                )
                if rng.random() < 0.2:
                    self._shop(
                        plan,
                        self._date_between(
                            bought_on + timedelta(days=30), self.today - timedelta(days=1)
                        ),
                    )
            if rng.random() < 0.25:
                self._note(plan, bought_on - timedelta(days=20))
        elif scenario == "apv":
            registered_on = self._days_ago(400, 14 * 365)
            car = self._pick_car(year=registered_on.year, dealer_share=0.6)
            vehicle, _ = self._vehicle(plan, car, registered_on, self._usage(plan))
            start = max(registered_on + timedelta(days=300), self.today - timedelta(days=6 * 365))
            first = self._date_between(start, self.today - timedelta(days=20))
            self._after_sales(plan, vehicle, first_visit=first, odometer=0, since=registered_on)
            if rng.random() < 0.2:
                self._prospect_follow_ups(plan)
        else:
            for _ in range(rng.randint(1, 3)):
                self._shop(plan, self._days_ago(1, 4 * 365))
        if rng.random() < 0.15 and scenario != "prospect":
            registered_on = self._days_ago(365, 12 * 365)
            second, _ = self._vehicle(
                plan, self._pick_car(year=registered_on.year), registered_on, self._usage(plan)
            )
            if rng.random() < 0.5:
                first = self._date_between(
                    registered_on + timedelta(days=300), self.today - timedelta(days=20)
                )
                self._after_sales(plan, second, first_visit=first, odometer=0, since=registered_on)

    def _company_history(self, plan: Plan) -> None:
        rng = self.rng
        company = plan.contact
        scenario = self._weighted(COMPANY_SCENARIOS)
        sources = SOURCES["company"]
        plan.customer.source = self._weighted(sources)
        utility_share = 0.7 if company.naf_code in UTILITY_TRADES else 0.1
        if scenario == "prospect":
            self._prospect_follow_ups(plan)
            if rng.random() < 0.5:
                self._note(plan, self._days_ago(1, 120))
            return
        low, high = FLEET_VEHICLES[company.fleet_size]
        count = rng.randint(low, high)
        # Oldest purchase first: prospecting comes before it.
        purchases = sorted(self._days_ago(30, 6 * 365) for _ in range(count))
        for index, bought_on in enumerate(purchases):
            utility = rng.random() < utility_share
            if scenario == "fleet":
                if index == 0:
                    self._prospecting(plan, bought_on)
                vehicle, odometer = self._purchase(
                    plan, bought_on, used=rng.random() < 0.15, utility=utility
                )
                if rng.random() < 0.7:
                    first = self._date_between(
                        bought_on + timedelta(days=240), bought_on + timedelta(days=400)
                    )
                    self._after_sales(
                        plan, vehicle, first_visit=first, odometer=odometer, since=bought_on
                    )
            else:
                registered_on = self._days_ago(400, 10 * 365)
                car = self._pick_car(year=registered_on.year, utility=utility)
                vehicle, _ = self._vehicle(plan, car, registered_on, self._usage(plan))
                start = max(
                    registered_on + timedelta(days=300), self.today - timedelta(days=5 * 365)
                )
                first = self._date_between(start, self.today - timedelta(days=20))
                self._after_sales(plan, vehicle, first_visit=first, odometer=0, since=registered_on)
        if rng.random() < 0.3:
            self._note(plan, self._days_ago(1, 365))

    def _file_opened_at(self, plan: Plan) -> datetime:
        """When the dealership opened the customer's file, so that prospects and customers
        have the ages their stories say: a customer's first recorded event (an activity, an
        invoice, the day consents were given); a prospect's first contact with the
        dealership (campaigns reach whoever consented, they open no file). A file with no
        such event is a fresh one, opened in the last six weeks, on a day derived from its
        identity (no draw: the rest of the data stays the same)."""
        moments = [a.occurred_at for a in plan.activities if a.kind != "campaign"]
        if plan.invoices:
            moments += [a.occurred_at for a in plan.activities]
            moments += [self.at(invoice.issued_on, 9) for invoice, _lines in plan.invoices]
            if plan.contact.consent_updated_at is not None:
                moments.append(plan.contact.consent_updated_at)
        if not moments:
            digest = hashlib.sha256(plan.customer.identity_key.encode()).digest()
            age = FILE_AGE_MIN_DAYS + int.from_bytes(digest[:4]) % FILE_AGE_SPREAD_DAYS
            moments.append(self.at(self.today - timedelta(days=age), 9))
        return min(min(moments), self.at(self.today, 9))

    def _finish(self, plan: Plan) -> None:
        self._campaigns(plan)
        customer = plan.customer
        customer.owner_id = self.owner_id
        customer.dealership = self.rng.choice(cat.DEALERSHIPS)
        customer.status = CustomerStatus.CUSTOMER if plan.invoices else CustomerStatus.PROSPECT
        customer.created_at = self._file_opened_at(plan)
        customer.sort_name = plan.sort_name()
        customer.search_document = plan.search_document()
