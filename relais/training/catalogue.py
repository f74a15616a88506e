"""The built-in exercises: the seed's practical tasks, as data.

The last three (building a target, sending a campaign, merging duplicates) use the sales
tools and are graded by ``relais.training.sales_grading`` against the school base's hidden
identities. ``{cible}`` and ``{depuis}`` are filled in per learner (see
``relais.training.grading``).
"""

# The segment the targeting exercise asks for, reused by the campaign exercise.
SEGMENT_NAME = "Relance atelier"
SALES_TARGET = "vehicule-ancien-sans-atelier"

CATALOGUE = [
    {
        "code": "creer-fiche-client",
        "category": "Fiche client",
        "title": "Créer une fiche client",
        "target_kind": "",
        "instructions": (
            "Une nouvelle cliente se présente à l'accueil. Créez sa fiche client (particulier) :\n"
            "Mme Sophie LAMBERT, 12 rue des Lilas, 69003 Lyon, téléphone mobile 06 12 34 56 78, "
            "e-mail sophie.lambert@example.fr."
        ),
        "checks": [
            {
                "type": "count",
                "entity": "customer",
                "since": True,
                "filters": [
                    {"field": "person__last_name", "op": "iexact", "value": "Lambert"},
                    {"field": "person__first_name", "op": "iexact", "value": "Sophie"},
                ],
                "min": 1,
                "points": 2,
                "label": "Fiche de Sophie LAMBERT créée",
                "missing": "Aucune fiche créée au nom de Sophie LAMBERT depuis le {depuis}.",
            },
            {
                "type": "count",
                "entity": "customer",
                "since": True,
                "filters": [
                    {"field": "person__last_name", "op": "iexact", "value": "Lambert"},
                    {"field": "person__postal_code", "op": "exact", "value": "69003"},
                    {"field": "person__city", "op": "icontains", "value": "Lyon"},
                ],
                "min": 1,
                "points": 1,
                "label": "Adresse complète (69003 Lyon)",
                "missing": "L'adresse de Sophie LAMBERT (69003 Lyon) est absente ou incomplète.",
            },
            {
                "type": "count",
                "entity": "customer",
                "since": True,
                "filters": [
                    {"field": "person__last_name", "op": "iexact", "value": "Lambert"},
                    {"field": "person__phone_mobile", "op": "exact", "value": "0612345678"},
                ],
                "min": 1,
                "points": 1,
                "label": "Téléphone mobile saisi",
                "missing": "Le téléphone mobile de Sophie LAMBERT (06 12 34 56 78) manque.",
            },
            {
                "type": "count",
                "entity": "customer",
                "since": True,
                "filters": [
                    {"field": "person__email", "op": "iexact", "value": "sophie.lambert@example.fr"}
                ],
                "min": 1,
                "points": 1,
                "label": "E-mail saisi",
                "missing": "L'e-mail sophie.lambert@example.fr n'est sur aucune fiche créée.",
            },
        ],
    },
    {
        "code": "modifier-fiche-client",
        "category": "Fiche client",
        "title": "Mettre à jour une fiche client",
        "target_kind": "customer",
        "instructions": (
            "Appel de votre client {cible} : nouveau téléphone mobile (06 98 76 54 32) et "
            "nouvelle adresse, 5 place Bellecour, 69002 Lyon. Mettez sa fiche à jour."
        ),
        "checks": [
            {
                "type": "count",
                "entity": "customer",
                "scope": "target",
                "filters": [
                    {"field": "person__phone_mobile", "op": "exact", "value": "0698765432"}
                ],
                "min": 1,
                "points": 2,
                "label": "Nouveau mobile de {cible}",
                "missing": "Le mobile de {cible} n'est pas 06 98 76 54 32.",
            },
            {
                "type": "count",
                "entity": "customer",
                "scope": "target",
                "filters": [
                    {"field": "person__postal_code", "op": "exact", "value": "69002"},
                    {"field": "person__city", "op": "icontains", "value": "Lyon"},
                    {"field": "person__street", "op": "icontains", "value": "Bellecour"},
                ],
                "min": 1,
                "points": 2,
                "label": "Nouvelle adresse de {cible}",
                "missing": "L'adresse de {cible} n'est pas « 5 place Bellecour, 69002 Lyon ».",
            },
        ],
    },
    {
        "code": "rechercher-fiche-client",
        "category": "Fiche client",
        "title": "Rechercher une fiche client",
        "target_kind": "customer_with_vehicle",
        "instructions": (
            "Votre client {cible} appelle pour prendre des nouvelles de son véhicule. Retrouvez sa "
            "fiche et indiquez l'immatriculation de son véhicule."
        ),
        "checks": [
            {
                "type": "answer",
                "compute": "vehicle_plate",
                "points": 2,
                "label": "Immatriculation du véhicule de {cible}",
            }
        ],
    },
    {
        "code": "prochain-entretien",
        "category": "Après-vente",
        "title": "Lire les données après-vente",
        "target_kind": "customer_with_visits",
        "instructions": (
            "Ouvrez l'onglet après-vente de {cible} : à partir de ses passages à l'atelier, à "
            "quelle date son prochain entretien est-il attendu ? (format JJ/MM/AAAA)"
        ),
        "checks": [
            {
                "type": "answer",
                "compute": "next_service_date",
                "points": 3,
                "label": "Date du prochain entretien de {cible}",
            }
        ],
    },
    {
        "code": "planifier-relance",
        "category": "Relances et rendez-vous",
        "title": "Planifier une relance",
        "target_kind": "customer",
        "instructions": (
            "Appelez {cible} pour lui présenter les offres du moment. Enregistrez l'appel "
            "(activité de type « Appel ») et planifiez une prochaine relance à une date future "
            "qui tombe un jour ouvré (ni dimanche ni jour férié)."
        ),
        "checks": [
            {
                "type": "count",
                "entity": "activity",
                "scope": "target",
                "since": True,
                "filters": [{"field": "kind", "op": "exact", "value": "call"}],
                "min": 1,
                "points": 1,
                "label": "Appel enregistré pour {cible}",
                "missing": "Aucun appel enregistré pour {cible} depuis le {depuis}.",
            },
            {
                "type": "count",
                "entity": "activity",
                "scope": "target",
                "since": True,
                "filters": [{"field": "next_follow_up_on", "op": "gte", "value": "$today"}],
                "min": 1,
                "points": 1,
                "label": "Prochaine relance planifiée",
                "missing": "Aucune relance planifiée pour {cible} après le {depuis}.",
            },
            {
                "type": "count",
                "entity": "activity",
                "scope": "target",
                "since": True,
                "filters": [
                    {"field": "next_follow_up_on", "op": "gte", "value": "$today"},
                    {"field": "next_follow_up_on", "op": "working_day", "value": "oui"},
                ],
                "min": 1,
                "points": 1,
                "label": "Relance un jour ouvré",
                "missing": "La relance de {cible} ne tombe pas un jour ouvré.",
            },
        ],
    },
    {
        "code": "planifier-rendez-vous",
        "category": "Relances et rendez-vous",
        "title": "Planifier un rendez-vous",
        "target_kind": "customer",
        "instructions": (
            "{cible} souhaite essayer un véhicule. Planifiez un rendez-vous en concession "
            "(activité de type « Rendez-vous ») à une date future, un jour ouvré."
        ),
        "checks": [
            {
                "type": "count",
                "entity": "activity",
                "scope": "target",
                "since": True,
                "filters": [
                    {"field": "kind", "op": "exact", "value": "appointment"},
                    {"field": "occurred_at", "op": "gte", "value": "$today"},
                ],
                "min": 1,
                "points": 2,
                "label": "Rendez-vous planifié pour {cible}",
                "missing": "Aucun rendez-vous planifié pour {cible} après le {depuis}.",
            },
            {
                "type": "count",
                "entity": "activity",
                "scope": "target",
                "since": True,
                "filters": [
                    {"field": "kind", "op": "exact", "value": "appointment"},
                    {"field": "occurred_at", "op": "gte", "value": "$today"},
                    {"field": "occurred_at", "op": "working_day", "value": "oui"},
                ],
                "min": 1,
                "points": 1,
                "label": "Rendez-vous un jour ouvré",
                "missing": "Le rendez-vous de {cible} ne tombe pas un jour ouvré.",
            },
        ],
    },
    {
        "code": "ajouter-vehicule",
        "category": "Véhicules",
        "title": "Ajouter un véhicule et un relevé kilométrique",
        "target_kind": "customer",
        "instructions": (
            "{cible} a acheté une Renault Clio d'occasion immatriculée GH-123-JK. Ajoutez ce "
            "véhicule sur sa fiche, puis enregistrez un relevé kilométrique de 12 500 km."
        ),
        "checks": [
            {
                "type": "count",
                "entity": "vehicle",
                "scope": "target",
                "since": True,
                "filters": [{"field": "plate", "op": "iexact", "value": "GH-123-JK"}],
                "min": 1,
                "points": 2,
                "label": "Véhicule GH-123-JK ajouté à {cible}",
                "missing": "Aucun véhicule GH-123-JK sur la fiche de {cible}.",
            },
            {
                "type": "count",
                "entity": "mileage",
                "scope": "target",
                "since": True,
                "filters": [{"field": "mileage", "op": "exact", "value": "12500"}],
                "min": 1,
                "points": 1,
                "label": "Relevé de 12 500 km",
                "missing": "Aucun relevé de 12 500 km enregistré pour {cible}.",
            },
        ],
    },
    {
        "code": "convertir-lead",
        "category": "Prospects",
        "title": "Transformer un lead en fiche prospect",
        "target_kind": "open_lead",
        "instructions": (
            "Le lead de {cible} n'a pas encore été traité. Ouvrez-le dans la liste des leads "
            "et transformez-le en fiche prospect."
        ),
        "checks": [
            {
                "type": "count",
                "entity": "lead",
                "scope": "target",
                "filters": [{"field": "status", "op": "exact", "value": "converted"}],
                "min": 1,
                "points": 1,
                "label": "Lead de {cible} converti",
                "missing": "Le lead de {cible} n'est pas encore converti.",
            },
            {
                "type": "count",
                "entity": "customer",
                "scope": "target",
                "min": 1,
                "points": 1,
                "label": "Fiche prospect créée pour {cible}",
                "missing": "Aucune fiche n'est rattachée au lead de {cible}.",
            },
        ],
    },
    {
        "code": "prospect-devient-client",
        "category": "Prospects",
        "title": "Transformer un prospect en client",
        "target_kind": "prospect",
        "instructions": (
            "Votre prospect {cible} vient d'acheter un véhicule. Enregistrez sa facture d'achat "
            "(véhicule neuf ou d'occasion) : dès la première facture, la fiche passe en client."
        ),
        "checks": [
            {
                "type": "count",
                "entity": "invoice",
                "scope": "target",
                "since": True,
                "filters": [{"field": "kind", "op": "in", "value": "vn,vo"}],
                "min": 1,
                "points": 2,
                "label": "Facture d'achat enregistrée pour {cible}",
                "missing": "Aucune facture d'achat (VN ou VO) pour {cible} depuis le {depuis}.",
            },
            {
                "type": "count",
                "entity": "customer",
                "scope": "target",
                "filters": [{"field": "status", "op": "exact", "value": "customer"}],
                "min": 1,
                "points": 1,
                "label": "{cible} est client",
                "missing": "{cible} est encore un prospect.",
            },
        ],
    },
    {
        "code": "construire-cible",
        "category": "Ciblage et campagnes",
        "title": "Construire une cible",
        "target_kind": "sales_target_area",
        "instructions": (
            "L'atelier veut faire revenir ses clients du département {cible}. Avec l'outil de "
            "ciblage, construisez la cible des clients (particuliers et sociétés) dont le code "
            "postal commence par {cible}, qui ont au moins un véhicule mis en circulation il y "
            "a plus de 4 ans et qui ne sont pas venus à l'atelier depuis 12 mois "
            "(aucune facture après-vente depuis 12 mois, y compris ceux qui ne sont jamais "
            "venus).\n"
            f"Enregistrez-la sous le nom « {SEGMENT_NAME} »."
        ),
        "checks": [
            {
                "type": "segment",
                "rule": "saved",
                "name": SEGMENT_NAME,
                "target": SALES_TARGET,
                "points": 1,
                "label": f"Segment « {SEGMENT_NAME} » enregistré",
            },
            {
                "type": "segment",
                "rule": "customers",
                "name": SEGMENT_NAME,
                "target": SALES_TARGET,
                "points": 4,
                "label": "Les bons clients du département {cible}, et eux seuls",
            },
        ],
    },
    {
        "code": "envoyer-campagne",
        "category": "Ciblage et campagnes",
        "title": "Envoyer une campagne",
        "target_kind": "sales_target_area",
        "instructions": (
            "Invitez à l'atelier les clients du département {cible} (code postal commençant par "
            "{cible}) dont le véhicule a plus de 4 ans et qui ne sont pas venus depuis 12 mois "
            "(la cible de l'exercice « Construire une cible » : "
            f"réutilisez votre segment « {SEGMENT_NAME} »).\n"
            "Envoyez-leur une campagne par e-mail, en respectant les consentements : seuls les "
            "clients qui acceptent les e-mails et ont une adresse e-mail valide doivent la "
            "recevoir."
        ),
        "checks": [
            {
                "type": "campaign",
                "rule": "sent",
                "channel": "email",
                "target": SALES_TARGET,
                "points": 1,
                "label": "Campagne e-mail envoyée",
            },
            {
                "type": "campaign",
                "rule": "recipients",
                "channel": "email",
                "target": SALES_TARGET,
                "points": 3,
                "label": "Les bons destinataires du département {cible}",
            },
            {
                "type": "campaign",
                "rule": "consent",
                "channel": "email",
                "target": SALES_TARGET,
                "points": 2,
                "label": "Consentements respectés",
            },
        ],
    },
    {
        "code": "fusionner-doublons",
        "category": "Qualité des données",
        "title": "Fusionner les doublons",
        "target_kind": "",
        "instructions": (
            "Des clients ont été saisis deux fois : nouvelle fiche créée depuis le site "
            "internet, nom mal orthographié… Avec l'outil de dédoublonnage, retrouvez ces "
            "doublons et fusionnez chaque paire en gardant la fiche la plus complète.\n"
            "Attention aux homonymes : deux personnes différentes qui portent le même nom "
            "(autre date de naissance, autre adresse) ne doivent pas être fusionnées, pas plus "
            "que les membres d'un même foyer (même nom et même adresse, souvent le même "
            "téléphone fixe, mais un autre prénom et une autre date de naissance). Une "
            "fusion erronée coûte plus de points qu'elle n'en rapporte ; vous pouvez annuler "
            "une fusion."
        ),
        "checks": [
            {
                "type": "merges",
                "rule": "merged",
                "points": 4,
                "label": "Doublons fusionnés",
            },
            {
                "type": "merges",
                "rule": "no_wrong_merge",
                "points": 2,
                "label": "Aucune fusion de personnes différentes",
            },
        ],
    },
]
