"""Reference data of the demo generator: what a French dealer sells, repairs and writes down.

Prices are French list prices (TTC, euros) of the mid-2020s, rounded; they only need to be
plausible. Vehicle energies cover petrol, diesel, LPG, E85, mild, full and plug-in hybrids
and electric cars, as the school database of the ANFA call for tender asks.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Engine:
    energy: str  # a relais.crm.models.Energy value
    label: str
    price: int  # entry price TTC of the model with this engine


@dataclass(frozen=True)
class CarModel:
    make: str
    model: str
    wmi: str  # world manufacturer identifier: the first three characters of the VIN
    code: str  # two characters of the VIN's descriptor section
    engines: tuple[Engine, ...]
    trims: tuple[str, ...]
    utility: bool = False
    since: int = 2008  # first year on sale
    until: int = 2100  # last year on sale

    def on_sale(self, year: int) -> bool:
        return self.since <= year <= self.until


def _m(make, model, wmi, code, engines, trims, utility=False, since=2008, until=2100) -> CarModel:
    engines = tuple(Engine(*e) for e in engines)
    return CarModel(make, model, wmi, code, engines, tuple(trims), utility, since, until)


# fmt: off
CATALOGUE: tuple[CarModel, ...] = (
    _m("Renault", "Clio", "VF1", "RJ", [("petrol", "TCe 90", 19900), ("hybrid", "E-Tech full hybrid 145", 24400), ("lpg", "Eco-G 100", 20900)], ["Evolution", "Techno", "Esprit Alpine"]),
    _m("Renault", "Captur", "VF1", "RH", [("petrol", "TCe 90", 24400), ("mhev", "mild hybrid 140", 27900), ("hybrid", "E-Tech full hybrid 145", 30400)], ["Evolution", "Techno", "Iconic"], since=2013),
    _m("Renault", "Mégane E-Tech", "VF1", "RC", [("electric", "EV60 220 ch", 38000)], ["Equilibre", "Techno", "Iconic"], since=2022),
    _m("Renault", "Austral", "VF1", "RR", [("mhev", "mild hybrid 160", 34900), ("hybrid", "E-Tech full hybrid 200", 40900)], ["Techno", "Iconic"], since=2022),
    _m("Renault", "Scénic E-Tech", "VF1", "RS", [("electric", "EV87 220 ch", 44000)], ["Techno", "Esprit Alpine", "Iconic"], since=2024),
    _m("Renault", "Zoe", "VF1", "AG", [("electric", "R110", 33500)], ["Life", "Zen", "Intens"], since=2013, until=2024),
    _m("Renault", "Kangoo Van", "VF1", "FW", [("diesel", "Blue dCi 95", 25900), ("electric", "E-Tech EV45", 37900)], ["Confort", "Grand Confort"], utility=True),
    _m("Renault", "Trafic Fourgon", "VF1", "FL", [("diesel", "Blue dCi 130", 35900)], ["Confort", "Grand Confort"], utility=True),
    _m("Dacia", "Sandero", "UU1", "DJ", [("petrol", "TCe 90", 13990), ("lpg", "ECO-G 100", 15290)], ["Essential", "Expression", "Journey"]),
    _m("Dacia", "Duster", "UU1", "HJ", [("lpg", "ECO-G 100", 20990), ("hybrid", "Hybrid 140", 25990), ("petrol", "TCe 130", 22990)], ["Essential", "Expression", "Journey", "Extreme"]),
    _m("Dacia", "Spring", "UU1", "BB", [("electric", "Electric 65", 18900)], ["Expression", "Extreme"], since=2021),
    _m("Dacia", "Jogger", "UU1", "RK", [("hybrid", "Hybrid 140", 25490), ("lpg", "ECO-G 100", 19990)], ["Essential", "Expression", "Extreme"], since=2022),
    _m("Peugeot", "208", "VR3", "UH", [("petrol", "PureTech 100", 21300), ("electric", "e-208 156 ch", 34000)], ["Active", "Allure", "GT"]),
    _m("Peugeot", "2008", "VR3", "US", [("petrol", "PureTech 130", 27600), ("mhev", "Hybrid 136 e-DCS6", 29000), ("electric", "e-2008 156 ch", 38000)], ["Allure", "GT"], since=2013),
    _m("Peugeot", "308", "VR3", "FY", [("diesel", "BlueHDi 130", 33000), ("mhev", "Hybrid 136", 33800), ("phev", "Plug-in Hybrid 180", 41000)], ["Allure", "GT"]),
    _m("Peugeot", "3008", "VR3", "MR", [("mhev", "Hybrid 136", 40000), ("phev", "Plug-in Hybrid 195", 46000), ("electric", "E-3008 210 ch", 44990)], ["Allure", "GT"]),
    _m("Peugeot", "Partner", "VR3", "EF", [("diesel", "BlueHDi 100", 25000), ("electric", "E-Partner 136", 39000)], ["Pro", "Asphalt"], utility=True),
    _m("Citroën", "C3", "VR7", "SX", [("petrol", "PureTech 83", 17900), ("electric", "ë-C3 113 ch", 23300)], ["You", "Plus", "Max"]),
    _m("Citroën", "C5 Aircross", "VR7", "AC", [("diesel", "BlueHDi 130", 34000), ("phev", "Plug-in Hybrid 180", 42000)], ["Plus", "Max"], since=2019),
    _m("Citroën", "Berlingo Van", "VR7", "EF", [("diesel", "BlueHDi 100", 24000)], ["Club", "Driver"], utility=True),
    _m("Toyota", "Yaris", "VNK", "KX", [("hybrid", "Hybride 116h", 23900)], ["Dynamic", "Design", "GR Sport"]),
    _m("Toyota", "Yaris Cross", "VNK", "KA", [("hybrid", "Hybride 116h", 28000)], ["Dynamic", "Design", "GR Sport"], since=2021),
    _m("Toyota", "C-HR", "SB1", "ZA", [("hybrid", "Hybride 140h", 34900), ("phev", "Hybride rechargeable 220", 42900)], ["Dynamic", "Design", "GR Sport"], since=2017),
    _m("Toyota", "RAV4", "JTM", "RW", [("hybrid", "Hybride 222h AWD", 44000), ("phev", "Hybride rechargeable 306", 54000)], ["Dynamic", "Design", "Lounge"]),
    _m("Volkswagen", "Polo", "WVW", "ZZ", [("petrol", "1.0 TSI 95", 21500)], ["Life", "Style", "R-Line"]),
    _m("Volkswagen", "Golf", "WVW", "CD", [("petrol", "1.5 eTSI 116", 32000), ("diesel", "2.0 TDI 116", 33000), ("phev", "eHybrid 204", 43000)], ["Life", "Style", "R-Line"]),
    _m("Volkswagen", "T-Roc", "WVG", "A1", [("petrol", "1.5 TSI 150", 30000)], ["Life", "Style", "R-Line"], since=2018),
    _m("Volkswagen", "ID.3", "WVW", "E1", [("electric", "Pro 204 ch", 39990)], ["Pure", "Pro", "Pro S"], since=2020),
    _m("Volkswagen", "ID.4", "WVG", "E2", [("electric", "Pro 286 ch", 44990)], ["Pure", "Pro"], since=2021),
    _m("Tesla", "Model 3", "LRW", "3E", [("electric", "Propulsion", 39990)], ["Standard", "Grande Autonomie", "Performance"], since=2019),
    _m("Tesla", "Model Y", "XP7", "YG", [("electric", "Propulsion", 44990)], ["Standard", "Grande Autonomie", "Performance"], since=2022),
    _m("Kia", "Niro", "KNA", "C8", [("hybrid", "HEV 141", 33000), ("electric", "EV 204", 41000)], ["Active", "Design", "Premium"], since=2016),
    _m("Hyundai", "Tucson", "TMA", "J8", [("hybrid", "1.6 T-GDi HEV 215", 39000), ("phev", "1.6 T-GDi PHEV 252", 45000)], ["Intuitive", "Executive"], since=2015),
    _m("Fiat", "500e", "ZFA", "FE", [("electric", "118 ch", 29900)], ["Action", "Icône"], since=2020),
    _m("Ford", "Puma", "WF0", "2X", [("mhev", "EcoBoost mHEV 125", 28000)], ["Titanium", "ST-Line"], since=2019),
    _m("Ford", "Kuga", "WF0", "FK", [("e85", "2.5 FHEV FlexiFuel", 39000), ("phev", "2.5 PHEV 243", 44000)], ["Titanium", "ST-Line", "Vignale"]),
    _m("Ford", "Transit Custom", "WF0", "YY", [("diesel", "2.0 EcoBlue 136", 38000)], ["Trend", "Limited"], utility=True),
)
# fmt: on
DEALER_MAKES = frozenset({"Renault", "Dacia"})
DEALERSHIPS = ("Relais Auto Lyon Est", "Relais Auto Villeurbanne", "Relais Auto Vienne")

# Where the dealer's customers live: the Lyon area, with a tail over the whole country.
DEPARTMENTS = {"69": 48, "01": 10, "38": 12, "42": 7, "71": 3, "73": 2, "74": 3, "26": 2, "*": 13}
EMAIL_DOMAINS = {
    "gmail.com": 30,
    "orange.fr": 16,
    "hotmail.fr": 9,
    "free.fr": 8,
    "sfr.fr": 6,
    "laposte.net": 6,
    "yahoo.fr": 6,
    "outlook.fr": 6,
    "wanadoo.fr": 5,
    "icloud.com": 5,
    "bbox.fr": 3,
}
ADDRESS_COMPLEMENTS = (
    "Bâtiment A",
    "Bâtiment B",
    "Escalier 2",
    "Résidence Les Tilleuls",
    "Résidence du Parc",
    "Appartement 12",
    "Appartement 4",
    "Lieu-dit Les Granges",
    "Le Clos des Vignes",
    "3e étage",
)
BUSINESS_ADDRESSES = (
    "ZI des Platières",
    "ZA du Chêne",
    "Parc d'activités des Bruyères",
    "ZAC de la Gare",
    "ZI Nord",
)

# Company profiles: legal-name pattern ({name} is a family name), NAF code, usual types.
COMPANY_ACTIVITIES = (
    ("Transports {name}", "49.41A", ("SARL", "SAS")),
    ("Taxis {name}", "49.32Z", ("EI", "EURL", "SASU")),
    ("Ambulances {name}", "86.90A", ("SARL", "SAS")),
    ("Plomberie {name}", "43.22A", ("EI", "EURL", "SARL")),
    ("Électricité {name}", "43.21A", ("EI", "SARL")),
    ("Maçonnerie {name} et Fils", "43.99C", ("SARL", "SAS")),
    ("Boulangerie {name}", "10.71C", ("EI", "SARL")),
    ("Pharmacie {name}", "47.73Z", ("SARL",)),
    ("Cabinet {name} Conseil", "70.22Z", ("SASU", "SAS")),
    ("Fiduciaire {name}", "69.20Z", ("SARL", "SA")),
    ("Nettoyage {name} Services", "81.21Z", ("SAS", "SARL")),
    ("{name} Location", "77.11A", ("SAS", "SA")),
    ("Immobilière {name}", "68.31Z", ("SARL", "SCI")),
    ("Atelier {name} Architectes", "71.11Z", ("SARL", "SAS")),
    ("Restaurant Chez {name}", "56.10A", ("EI", "SARL")),
    ("Paysages {name}", "81.30Z", ("EI", "SARL")),
    ("Aide à domicile {name}", "88.10A", ("ASSO",)),
    ("Infirmiers {name} et associés", "86.90D", ("SNC", "SARL")),
    ("{name} Distribution", "46.90Z", ("SAS", "SA")),
    ("Mairie de {city}", "84.11Z", ("PUBLIC",)),
)
# Who runs the company, by company type (masculine, feminine); a "gérant" otherwise.
LEADER_ROLES = {
    "SAS": ("Président", "Présidente"),
    "SASU": ("Président", "Présidente"),
    "SA": ("Président-directeur général", "Présidente-directrice générale"),
    "ASSO": ("Président", "Présidente"),
    "PUBLIC": ("Directeur des services techniques", "Directrice des services techniques"),
}
DEFAULT_LEADER_ROLE = ("Gérant", "Gérante")
STAFF_ROLES = (
    ("Responsable de flotte", "Responsable de flotte"),
    ("Directeur administratif et financier", "Directrice administrative et financière"),
    ("Assistant de direction", "Assistante de direction"),
    ("Responsable des achats", "Responsable des achats"),
    ("Comptable", "Comptable"),
)
COMPANY_MAILBOXES = ("contact", "accueil", "compta", "flotte", "direction")

# After-sales work: label, price range HT, quantity range; petrol/diesel-only items flagged.
WORKSHOP_OPERATIONS = (
    ("Révision constructeur", (149, 349), (1, 1), False),
    ("Vidange et remplacement du filtre à huile", (89, 159), (1, 1), True),
    ("Remplacement des plaquettes de frein avant", (129, 249), (1, 1), False),
    ("Remplacement des disques et plaquettes arrière", (229, 389), (1, 1), False),
    ("Pneumatique 205/55 R16 91V", (79, 139), (2, 4), False),
    ("Géométrie / parallélisme", (69, 99), (1, 1), False),
    ("Recharge et contrôle de la climatisation", (79, 119), (1, 1), False),
    ("Remplacement de la batterie 12 V", (129, 219), (1, 1), False),
    ("Balais d'essuie-glace avant", (29, 49), (1, 1), False),
    ("Kit de distribution et pompe à eau", (490, 890), (1, 1), True),
    ("Remplacement du filtre d'habitacle", (39, 69), (1, 1), False),
    ("Diagnostic électronique", (59, 95), (1, 1), False),
    ("Contrôle de la batterie de traction", (49, 89), (1, 1), False),
    ("Main-d'œuvre atelier (heures)", (72, 96), (1, 4), False),
    ("Remplacement du pare-brise", (390, 790), (1, 1), False),
)
SHOP_ITEMS = (
    ("Huile moteur 5W30 — bidon 5 L", (39, 59)),
    ("Liquide lave-glace hiver 5 L", (6, 11)),
    ("Ampoule H7 (paire)", (12, 25)),
    ("Tapis de sol sur mesure", (49, 119)),
    ("Chaînes à neige", (59, 149)),
    ("Coffre de toit 420 L", (289, 499)),
    ("Porte-vélos sur attelage", (189, 449)),
    ("Câble de recharge type 2 (7 kW)", (169, 289)),
    ("Kit de sécurité (gilet, triangle)", (15, 29)),
    ("Balais d'essuie-glace avant", (22, 39)),
    ("Désodorisant et produits d'entretien", (9, 29)),
)

PROSPECTING_STEPS = (
    ("call", "Premier contact suite à votre demande", "reached"),
    ("email", "Envoi de la documentation et des tarifs", "done"),
    ("appointment", "Essai du véhicule en concession", "done"),
    ("email", "Envoi de l'offre commerciale et de l'estimation de reprise", "done"),
    ("call", "Relance de l'offre commerciale", "interested"),
)
PROSPECT_ACTIVITIES = (
    ("call", "Appel de découverte du besoin", ("reached", "no_answer", "message_left")),
    ("email", "Envoi d'une offre personnalisée", ("done",)),
    ("sms", "Invitation à un essai", ("done",)),
    ("letter", "Courrier : offre de reprise de votre véhicule", ("done",)),
    ("call", "Relance après l'essai", ("interested", "not_interested", "no_answer")),
    ("appointment", "Rendez-vous en concession", ("done", "appointment_set")),
)
# The dealer's marketing campaigns, one a month: (month, day, activity kind, subject). Each
# goes only to the contacts who accepted its channel (see ``CAMPAIGN_CONSENTS``) on that day.
CAMPAIGNS = (
    (1, 14, "campaign", "Campagne e-mail : les offres de janvier"),
    (2, 11, "sms", "Campagne SMS : contrôle hiver offert"),
    (3, 12, "campaign", "Campagne e-mail : journées portes ouvertes de printemps"),
    (4, 8, "letter", "Campagne courrier : estimation gratuite de votre reprise"),
    (5, 13, "sms", "Campagne SMS : pneus été à prix remisé"),
    (6, 10, "campaign", "Campagne e-mail : check-up avant les vacances"),
    (7, 3, "letter", "Campagne courrier : recharge de climatisation"),
    (8, 26, "campaign", "Campagne e-mail : essayez les nouveautés de la rentrée"),
    (9, 16, "sms", "Campagne SMS : semaine de l'hybride et de l'électrique"),
    (10, 7, "campaign", "Campagne e-mail : portes ouvertes d'automne"),
    (11, 4, "letter", "Campagne courrier : pneus hiver et équipements montagne"),
    (12, 2, "campaign", "Campagne e-mail : idées cadeaux de la boutique"),
)
CAMPAIGN_CONSENTS = {"campaign": "consent_email", "sms": "consent_sms", "letter": "consent_mail"}
CAMPAIGN_HISTORY_DAYS = 2 * 365  # older campaign logs are purged

NOTE_PROJECTS = (
    "Remplacer le diesel par un hybride d'ici la rentrée.",
    "Passer à l'électrique : borne de recharge prévue à domicile.",
    "Deuxième voiture pour le foyer, plutôt citadine.",
    "Renouvellement de la flotte commerciale l'an prochain.",
    "Agrandissement de la famille : besoin d'un 7 places.",
    "Départ en retraite : véhicule plus petit et économique.",
    "Reprise de l'ancien véhicule souhaitée.",
)
NOTE_EXPECTATIONS = (
    "Budget mensuel inférieur à 350 € en LOA.",
    "Livraison rapide, véhicule en stock de préférence.",
    "Faible consommation et coût d'entretien maîtrisé.",
    "Grand coffre et sièges confortables.",
    "Autonomie réelle d'au moins 350 km.",
    "Garantie longue et entretien inclus.",
    "Boîte automatique indispensable.",
)
NOTE_INTERESTS = (
    "Randonnée",
    "Vélo",
    "Ski",
    "Camping-car",
    "Pêche",
    "Football",
    "Jardinage",
    "Voyages",
    "Cuisine",
    "Photographie",
    "Équitation",
    "Bricolage",
    "Musique",
    "Course à pied",
)
LEAD_MESSAGES = {
    "web_ad": "Vu votre annonce en ligne, je souhaite plus d'informations.",
    "test_drive": "Je voudrais essayer ce modèle un samedi matin si possible.",
    "quote": "Pouvez-vous m'envoyer un devis avec les options ?",
    "phone": "Appel reçu à l'accueil, rappeler en fin de journée.",
    "showroom": "Passé en concession, repart avec une brochure.",
    "callback": "Merci de me rappeler entre 12 h et 14 h.",
    "trade_in": "Je souhaite faire estimer mon véhicule actuel pour une reprise.",
    "brochure": "Merci de m'envoyer la brochure par e-mail.",
    "event": "Rencontré lors des portes ouvertes, intéressé par un essai.",
}
