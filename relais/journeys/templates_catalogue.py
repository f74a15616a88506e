"""Journey templates for a social security body of artists-authors (seed 000): the procedures
its publics follow, in phases and steps, with channels, expected durations, documents, pain
points, opportunities and the customer's feelings (-2..+2).

Each step is ``(name, activity, channel, actor, (duration, unit), documents, pain points,
opportunities, emotion)``; the activity is the name the step carries in the event log.
"""

M, D = "minutes", "days"


def _step(name, activity, channel, actor, duration, documents="", pains="", ideas="", emotion=0):
    value, unit = duration
    return {
        "name": name,
        "activity": activity,
        "channel": channel,
        "actor": actor,
        "duration_value": value,
        "duration_unit": unit,
        "documents": documents,
        "pain_points": pains,
        "opportunities": ideas,
        "emotion": emotion,
    }


TEMPLATES: dict[str, dict] = {
    "affiliation": {
        "title": "Affiliation d'un artiste-auteur",
        "public": "Artistes-auteurs débutant leur activité",
        "procedure": "Affiliation et immatriculation",
        "description": (
            "De la découverte du régime à la réception de l'attestation d'affiliation : "
            "le premier contact d'un artiste-auteur avec l'organisme."
        ),
        "phases": [
            (
                "S'informer",
                [
                    _step(
                        "Consulter les conditions d'affiliation",
                        "Consultation page affiliation",
                        "web",
                        "customer",
                        (15, M),
                        "",
                        "Vocabulaire juridique difficile (diffuseur, précompte, BNC)\n"
                        "Activités éligibles mal décrites selon les branches",
                        "Simulateur « Suis-je artiste-auteur ? »\nFiches par branche artistique",
                        -1,
                    ),
                    _step(
                        "Appeler pour vérifier son éligibilité",
                        "Appel information affiliation",
                        "phone",
                        "customer",
                        (12, M),
                        "",
                        "Temps d'attente au téléphone\nRéponse différente selon l'interlocuteur",
                        "Rappel programmé\nBase de connaissances commune aux conseillers",
                        -1,
                    ),
                ],
            ),
            (
                "Déposer la demande",
                [
                    _step(
                        "Créer son espace en ligne",
                        "Création compte en ligne",
                        "web",
                        "customer",
                        (10, M),
                        "Numéro de sécurité sociale\nAdresse électronique",
                        "Numéro de sécurité sociale provisoire refusé",
                        "Création de compte sans numéro définitif",
                        0,
                    ),
                    _step(
                        "Remplir le formulaire d'affiliation",
                        "Dépôt demande affiliation",
                        "web",
                        "customer",
                        (30, M),
                        "Pièce d'identité\nJustificatifs de revenus artistiques\nRIB",
                        "Liste des justificatifs découverte en cours de saisie\n"
                        "Pas d'enregistrement du brouillon",
                        "Liste des pièces annoncée avant de commencer\nSauvegarde du brouillon",
                        -1,
                    ),
                ],
            ),
            (
                "Instruction",
                [
                    _step(
                        "Vérifier la complétude du dossier",
                        "Contrôle complétude",
                        "back_office",
                        "staff",
                        (5, D),
                        "",
                        "Aucune visibilité sur l'avancement pour l'usager",
                        "Suivi de la demande en ligne",
                        0,
                    ),
                    _step(
                        "Demander une pièce manquante",
                        "Demande pièce manquante",
                        "email",
                        "staff",
                        (15, M),
                        "Courriel type de relance",
                        "Pièce demandée deux fois\nDélai de traitement qui repart à zéro",
                        "Contrôle automatique des pièces au dépôt",
                        -2,
                    ),
                    _step(
                        "Relancer l'organisme",
                        "Relance usager",
                        "phone",
                        "customer",
                        (10, M),
                        "",
                        "Appel évitable : l'usager cherche à savoir où en est son dossier",
                        "Notification proactive à chaque changement d'état",
                        -2,
                    ),
                    _step(
                        "Statuer sur l'affiliation",
                        "Décision affiliation",
                        "back_office",
                        "staff",
                        (10, D),
                        "",
                        "",
                        "",
                        0,
                    ),
                ],
            ),
            (
                "Recevoir la réponse",
                [
                    _step(
                        "Recevoir l'attestation d'affiliation",
                        "Envoi attestation",
                        "letter",
                        "system",
                        (3, D),
                        "Attestation d'affiliation",
                        "Courrier peu clair sur les droits ouverts",
                        "Attestation téléchargeable dans l'espace en ligne",
                        1,
                    ),
                ],
            ),
        ],
    },
    "declaration_revenus": {
        "title": "Déclaration annuelle des revenus artistiques",
        "public": "Artistes-auteurs affiliés, en BNC ou en traitements et salaires",
        "procedure": "Déclaration de revenus et cotisations",
        "description": (
            "La campagne annuelle de déclaration des revenus artistiques, avec le pic de "
            "sollicitations d'avril à juin."
        ),
        "phases": [
            (
                "Préparer",
                [
                    _step(
                        "Recevoir l'invitation à déclarer",
                        "Envoi invitation déclaration",
                        "email",
                        "system",
                        (1, M),
                        "",
                        "Courriel classé en indésirable",
                        "Rappel dans l'espace en ligne et par SMS",
                        0,
                    ),
                    _step(
                        "Rassembler ses revenus et ses frais",
                        "Préparation déclaration",
                        "web",
                        "customer",
                        (2, D),
                        "Certificats de précompte des diffuseurs\nRelevé des frais professionnels",
                        "Certificats de précompte manquants chez certains diffuseurs",
                        "Récapitulatif des précomptes déclarés par les diffuseurs",
                        -1,
                    ),
                    _step(
                        "Poser une question sur le montant à déclarer",
                        "Appel question déclaration",
                        "phone",
                        "customer",
                        (15, M),
                        "",
                        "Ligne saturée pendant la campagne\nRègles BNC / TS mal comprises",
                        "Tutoriel vidéo et FAQ par situation\nWebinaires pendant la campagne",
                        -2,
                    ),
                ],
            ),
            (
                "Déclarer",
                [
                    _step(
                        "Saisir la déclaration en ligne",
                        "Dépôt déclaration",
                        "web",
                        "customer",
                        (25, M),
                        "Montants BNC ou TS\nFrais réels",
                        "Session expirée pendant la saisie",
                        "Pré-remplissage à partir des précomptes connus",
                        -1,
                    ),
                    _step(
                        "Recevoir l'accusé de réception",
                        "Accusé réception déclaration",
                        "email",
                        "system",
                        (1, M),
                        "Accusé de réception",
                        "",
                        "",
                        1,
                    ),
                ],
            ),
            (
                "Régulariser",
                [
                    _step(
                        "Calculer les cotisations",
                        "Calcul cotisations",
                        "back_office",
                        "partner",
                        (30, D),
                        "",
                        "Délai long avant l'appel de cotisations",
                        "",
                        0,
                    ),
                    _step(
                        "Contester ou corriger le montant",
                        "Demande régularisation",
                        "email",
                        "customer",
                        (20, M),
                        "Justificatifs de revenus corrigés",
                        "Orientation entre l'organisme et l'Urssaf peu claire",
                        "Formulaire de correction en ligne avec orientation automatique",
                        -2,
                    ),
                    _step(
                        "Payer les cotisations",
                        "Paiement cotisations",
                        "web",
                        "customer",
                        (10, M),
                        "",
                        "",
                        "Paiement échelonné proposé d'emblée",
                        0,
                    ),
                ],
            ),
        ],
    },
    "action_sociale": {
        "title": "Demande d'aide à l'action sociale",
        "public": "Artistes-auteurs en difficulté financière ou de santé",
        "procedure": "Action sociale (aide financière exceptionnelle)",
        "description": (
            "Une demande d'aide en situation de fragilité : l'accompagnement humain y compte "
            "autant que la rapidité."
        ),
        "phases": [
            (
                "Découvrir l'aide",
                [
                    _step(
                        "Apprendre l'existence de l'aide",
                        "Consultation page action sociale",
                        "web",
                        "customer",
                        (10, M),
                        "",
                        "Aide peu connue des publics qui en ont besoin",
                        "Information proactive lors d'une baisse de revenus déclarés",
                        -1,
                    ),
                    _step(
                        "Échanger avec un conseiller",
                        "Rendez-vous conseiller action sociale",
                        "appointment",
                        "staff",
                        (45, M),
                        "",
                        "Créneaux de rendez-vous rares",
                        "Rendez-vous en visioconférence",
                        1,
                    ),
                ],
            ),
            (
                "Constituer le dossier",
                [
                    _step(
                        "Télécharger et remplir le formulaire",
                        "Téléchargement formulaire action sociale",
                        "web",
                        "customer",
                        (40, M),
                        "Formulaire de demande\nAvis d'imposition\nRelevés bancaires\nDevis ou factures",
                        "Formulaire papier à imprimer\nQuestions intrusives sans explication",
                        "Formulaire en ligne expliquant chaque question",
                        -2,
                    ),
                    _step(
                        "Envoyer le dossier",
                        "Dépôt dossier action sociale",
                        "letter",
                        "customer",
                        (4, D),
                        "Dossier complet",
                        "Envoi postal sans suivi",
                        "Dépôt en ligne avec accusé de réception",
                        -1,
                    ),
                ],
            ),
            (
                "Instruction et commission",
                [
                    _step(
                        "Instruire la demande",
                        "Instruction action sociale",
                        "back_office",
                        "staff",
                        (15, D),
                        "",
                        "",
                        "",
                        0,
                    ),
                    _step(
                        "Demander où en est sa demande",
                        "Relance usager",
                        "email",
                        "customer",
                        (10, M),
                        "",
                        "Inquiétude sans information sur la date de la commission",
                        "Date de commission annoncée au dépôt",
                        -2,
                    ),
                    _step(
                        "Examen en commission",
                        "Commission action sociale",
                        "back_office",
                        "partner",
                        (30, D),
                        "",
                        "Commission mensuelle : délai incompressible",
                        "Procédure d'urgence pour les situations critiques",
                        -1,
                    ),
                ],
            ),
            (
                "Recevoir l'aide",
                [
                    _step(
                        "Recevoir la notification de décision",
                        "Notification décision action sociale",
                        "letter",
                        "system",
                        (3, D),
                        "Notification de décision",
                        "Motif de refus peu détaillé",
                        "Appel du conseiller en cas de refus",
                        1,
                    ),
                    _step(
                        "Recevoir le versement",
                        "Versement aide",
                        "back_office",
                        "system",
                        (5, D),
                        "",
                        "",
                        "",
                        2,
                    ),
                ],
            ),
        ],
    },
    "trimestres_retraite": {
        "title": "Validation des trimestres de retraite",
        "public": "Artistes-auteurs aux revenus faibles ou irréguliers",
        "procedure": "Trimestres de retraite (cotisation sur assiette forfaitaire)",
        "description": (
            "Comprendre ses trimestres validés et, si besoin, cotiser sur une assiette "
            "forfaitaire pour en valider quatre."
        ),
        "phases": [
            (
                "Comprendre ses droits",
                [
                    _step(
                        "Consulter son relevé de carrière",
                        "Consultation relevé carrière",
                        "web",
                        "customer",
                        (15, M),
                        "Relevé de carrière",
                        "Trimestres de l'année en cours absents du relevé",
                        "Estimation des trimestres dans l'espace en ligne",
                        -1,
                    ),
                    _step(
                        "Demander une explication sur les trimestres",
                        "Courriel question retraite",
                        "email",
                        "customer",
                        (15, M),
                        "",
                        "Réponse en plusieurs semaines\nRenvoi vers l'Assurance retraite",
                        "Réponse type validée avec l'Assurance retraite",
                        -2,
                    ),
                ],
            ),
            (
                "Demander la cotisation forfaitaire",
                [
                    _step(
                        "Remplir la demande d'assiette forfaitaire",
                        "Dépôt demande assiette forfaitaire",
                        "web",
                        "customer",
                        (20, M),
                        "Déclaration de revenus de l'année",
                        "Date limite du 30 septembre mal connue",
                        "Rappel automatique avant la date limite",
                        -1,
                    ),
                    _step(
                        "Calculer le montant à payer",
                        "Calcul cotisation forfaitaire",
                        "back_office",
                        "partner",
                        (20, D),
                        "",
                        "",
                        "",
                        0,
                    ),
                ],
            ),
            (
                "Payer et valider",
                [
                    _step(
                        "Payer le complément de cotisation",
                        "Paiement cotisation forfaitaire",
                        "web",
                        "customer",
                        (10, M),
                        "Avis de paiement",
                        "",
                        "",
                        0,
                    ),
                    _step(
                        "Vérifier la validation des trimestres",
                        "Appel vérification trimestres",
                        "phone",
                        "customer",
                        (12, M),
                        "",
                        "Validation visible seulement l'année suivante",
                        "Attestation de validation envoyée après paiement",
                        -1,
                    ),
                    _step(
                        "Recevoir l'attestation de trimestres",
                        "Envoi attestation trimestres",
                        "letter",
                        "system",
                        (5, D),
                        "Attestation de trimestres validés",
                        "",
                        "",
                        2,
                    ),
                ],
            ),
        ],
    },
}


def template_choices() -> list[tuple[str, str]]:
    """``(key, title)`` of every template, for forms."""
    return [(key, template["title"]) for key, template in TEMPLATES.items()]
