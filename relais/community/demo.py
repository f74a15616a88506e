"""Demo content: the community of the artists-authors' social-security body (seed ``001_…``).

``load_community_demo(organization)`` builds, once, a realistic French community in
``organization``: theme categories (affiliation, cotisations, retraite, maladie-maternité,
action sociale, diffuseurs), the five artistic branches, a members-only and a staff-only
category; members of every branch with varied activity and trust levels; answered and
unanswered questions, discussions, answers of the organisation and members' answers it
validated (one suspended by a later edit, one due for review); pending flags (one post
auto-hidden, others off-topic or inappropriate); mentions between members; a banned-words
list. Seeded (the same seed gives the same dates and counters)
and idempotent (a second call returns the existing community untouched). Everything goes
through the services, so the interaction log, the knowledge base and the search index are
filled as in real use.

Demo accounts (password ``password``, ``relais-demo`` by default): ``communaute-membre``
(a member), ``communaute-moderatrice`` (a moderator), ``communaute-admin`` (the community's
administrator, an administrator of the organization) and ``communaute-conseiller`` (a
supervisor: official answers and validations).
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.community.models import (
    Access,
    BannedWord,
    Category,
    CategoryKind,
    Community,
    MemberProfile,
    OfficialAnswer,
    Post,
    Topic,
    WordAction,
)
from relais.community.services import (
    answer_accept,
    answer_validate,
    flag_create,
    member_join,
    official_answer_publish,
    official_reviews_mark_due,
    post_edit,
    post_reply,
    topic_create,
    trust_level_update,
)
from relais.core.accounts.models import OrganizationMembership, User
from relais.core.accounts.roles import Role
from relais.core.demo import DEMO_PASSWORD, DemoLogin
from relais.core.organizations.models import Organization
from relais.core.workspaces.models import Membership, Workspace, WorkspaceKind

COMMUNITY_SLUG = "artistes-auteurs"

THEMES = [
    ("affiliation", "Affiliation", "Statut d'artiste-auteur, premières démarches, SIRET."),
    ("cotisations", "Cotisations", "Calcul, précompte, déclaration des revenus artistiques."),
    ("retraite", "Retraite", "Trimestres, retraite complémentaire, rachats."),
    ("maladie-maternite", "Maladie-maternité", "Indemnités journalières, congé maternité."),
    (
        "action-sociale",
        "Action sociale",
        "Aides en cas de difficulté, commission d'action sociale.",
    ),
    ("diffuseurs", "Diffuseurs", "Éditeurs, galeries, producteurs : contributions et précompte."),
]
BRANCHES = [
    ("arts-graphiques", "Arts graphiques et plastiques"),
    ("livre", "Écrivains et illustrateurs du livre"),
    ("musique", "Auteurs-compositeurs de musique"),
    ("audiovisuel", "Œuvres cinématographiques et audiovisuelles"),
    ("photographie", "Photographes"),
]

CHARTER = """Bienvenue dans la communauté des artistes-auteurs.

1. Restez courtois : pas d'insulte, pas d'attaque personnelle.
2. Ne publiez jamais votre numéro de sécurité sociale, votre IBAN ni les données d'autrui.
3. Les réponses des membres sont des témoignages ; seules les réponses marquées « Réponse de l'organisme » ou « Réponse validée par l'organisme » engagent l'organisme.
4. Signalez les messages qui enfreignent cette charte : la modération les examine."""


@dataclass(frozen=True)
class DemoMember:
    username: str
    first_name: str
    last_name: str
    display_name: str
    branch: str
    role: str = Role.MEMBER
    activity: tuple[int, int, int, int] = (0, 0, 0, 0)  # days, read, likes given, received


MEMBERS = [
    DemoMember(
        "communaute-membre", "Léa", "Rousseau", "Léa illustre", "livre", activity=(18, 140, 4, 6)
    ),
    DemoMember(
        "communaute-moderatrice",
        "Sophie",
        "Garnier",
        "Sophie (modération)",
        "arts-graphiques",
        Role.MODERATOR,
        (120, 900, 60, 45),
    ),
    DemoMember(
        "communaute-marc", "Marc", "Lefèvre", "Marc compose", "musique", activity=(60, 620, 35, 28)
    ),
    DemoMember(
        "communaute-ines", "Inès", "Benali", "Inès photo", "photographie", activity=(9, 60, 1, 2)
    ),
    DemoMember(
        "communaute-yann",
        "Yann",
        "Le Goff",
        "Yann scénario",
        "audiovisuel",
        activity=(25, 180, 3, 5),
    ),
    DemoMember(
        "communaute-chloe",
        "Chloé",
        "Martin",
        "Chloé sculpte",
        "arts-graphiques",
        activity=(2, 15, 0, 0),
    ),
    DemoMember("communaute-paul", "Paul", "Nguyen", "Paul BD", "livre", activity=(40, 410, 12, 22)),
    DemoMember(
        "communaute-amina", "Amina", "Diallo", "Amina docu", "audiovisuel", activity=(1, 3, 0, 0)
    ),
    DemoMember(
        "communaute-vendeur", "Kevin", "Durand", "Bons plans 2000", "", activity=(1, 0, 0, 0)
    ),
    # A second wave, so that every branch has several voices (and the levels vary).
    DemoMember(
        "communaute-hugo",
        "Hugo",
        "Petit",
        "Hugo peint",
        "arts-graphiques",
        activity=(30, 260, 10, 14),
    ),
    DemoMember(
        "communaute-sarah",
        "Sarah",
        "Lambert",
        "Sarah romancière",
        "livre",
        activity=(12, 90, 2, 3),
    ),
    DemoMember(
        "communaute-theo", "Théo", "Mercier", "Théo beatmaker", "musique", activity=(7, 40, 1, 1)
    ),
    DemoMember(
        "communaute-julie",
        "Julie",
        "Faure",
        "Julie reportage",
        "photographie",
        activity=(50, 380, 20, 18),
    ),
    DemoMember(
        "communaute-omar",
        "Omar",
        "Haddad",
        "Omar animation",
        "audiovisuel",
        activity=(15, 110, 3, 4),
    ),
]
STAFF = [
    ("communaute-conseiller", "Julien", "Moreau", Role.SUPERVISOR),
    ("communaute-admin", "Claire", "Fontaine", Role.ADMINISTRATOR),
]

BANNED_WORDS = [
    ("connard", WordAction.BLOCK, ""),
    ("abruti", WordAction.CENSOR, ""),
    ("débile", WordAction.CENSOR, ""),
    ("arnaque", WordAction.FLAG, ""),
    ("casino", WordAction.REQUIRE_APPROVAL, ""),
    ("crypto-investissement", WordAction.BLOCK, ""),
    ("MDA", WordAction.REPLACE, "Maison des artistes"),
    ("urssaf", WordAction.LINK, "https://www.artistes-auteurs.urssaf.fr/"),
]


def _workspace(organization) -> Workspace:
    workspace = (
        Workspace.objects.filter(organization=organization, kind=WorkspaceKind.LIVE)
        .order_by("id")
        .first()
    )
    if workspace is None:
        workspace = Workspace.objects.create(
            organization=organization, name="Relation artistes-auteurs", kind=WorkspaceKind.LIVE
        )
    return workspace


def _user(organization, username, first_name, last_name, role, password, workspace=None):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@artistes-auteurs.example",
            organization=organization,
        )
        user.set_password(password)
        user.save()
    OrganizationMembership.objects.get_or_create(user=user, organization=organization, role=role)
    if workspace is not None:
        Membership.objects.get_or_create(workspace=workspace, user=user)
    return user


def _categories(community) -> dict[str, Category]:
    categories = {}
    for position, (slug, name, description) in enumerate(THEMES):
        categories[slug] = Category.objects.create(
            community=community, slug=slug, name=name, description=description, position=position
        )
    for position, (slug, name) in enumerate(BRANCHES):
        categories[slug] = Category.objects.create(
            community=community,
            slug=slug,
            name=name,
            kind=CategoryKind.BRANCH,
            description=f"Entraide entre membres de la branche « {name} ».",
            position=position,
        )
    categories["entre-membres"] = Category.objects.create(
        community=community,
        slug="entre-membres",
        name="Entre membres",
        description="Échanges réservés aux membres inscrits.",
        read_access=Access.MEMBERS,
        position=90,
    )
    categories["equipe"] = Category.objects.create(
        community=community,
        slug="equipe",
        name="Coulisses de l'équipe",
        description="Consignes et réponses types, réservées à l'équipe de l'organisme.",
        read_access=Access.STAFF,
        post_access=Access.STAFF,
        position=91,
    )
    return categories


def _backdate(topic: Topic, rng: random.Random, now: datetime.datetime) -> None:
    """Spread the demo over the last months: the topic, then its posts a few hours apart."""
    start = now - datetime.timedelta(days=rng.randint(3, 150), hours=rng.randint(0, 12))
    when = start
    for post in topic.posts.order_by("position"):
        Post.objects.filter(pk=post.pk).update(created_at=when)
        when += datetime.timedelta(hours=rng.randint(1, 40))
    last = min(when, now)
    Topic.objects.filter(pk=topic.pk).update(created_at=start, last_activity_at=last)
    for official in OfficialAnswer.objects.filter(post__topic=topic).select_related("post"):
        official.post.refresh_from_db(fields=["created_at"])
        OfficialAnswer.objects.filter(pk=official.pk).update(
            validated_at=min(official.post.created_at + datetime.timedelta(hours=20), now)
        )


@transaction.atomic
def load_community_demo(
    organization, *, password: str = DEMO_PASSWORD, seed: int = 2025
) -> Community:
    """Build the demo community in ``organization`` (see the module); idempotent."""
    existing = Community.objects.filter(slug=COMMUNITY_SLUG).first()
    if existing is not None:
        return existing
    rng = random.Random(seed)
    now = timezone.now()
    workspace = _workspace(organization)
    community = Community.objects.create(
        organization=organization,
        workspace=workspace,
        slug=COMMUNITY_SLUG,
        name="Communauté des artistes-auteurs",
        tagline="Entraide entre artistes-auteurs, avec les réponses de l'organisme.",
        charter=CHARTER,
    )
    c = _categories(community)
    for word, action, replacement in BANNED_WORDS:
        BannedWord.objects.create(
            community=community, word=word, action=action, replacement=replacement
        )

    users = {}
    for member in MEMBERS:
        user = _user(
            organization,
            member.username,
            member.first_name,
            member.last_name,
            member.role,
            password,
        )
        profile = member_join(
            user=user,
            community=community,
            display_name=member.display_name,
            branch=member.branch,
            accept_charter=True,
        )
        # Their past activity first: it sets the level their posts are allowed at.
        days, read, given, received = member.activity
        MemberProfile.objects.filter(pk=profile.pk).update(
            days_visited=days,
            posts_read=read,
            reading_seconds=read * 60,  # about a minute per post read
            likes_given=given,
            likes_received=received,
            last_visit_on=(now - datetime.timedelta(days=rng.randint(0, 20))).date(),
        )
        profile.refresh_from_db()
        trust_level_update(profile=profile)
        users[member.username] = user
    for username, first_name, last_name, role in STAFF:
        users[username] = _user(
            organization, username, first_name, last_name, role, password, workspace=workspace
        )
    lea, sophie, marc = (
        users["communaute-membre"],
        users["communaute-moderatrice"],
        users["communaute-marc"],
    )
    ines, yann, chloe = (
        users["communaute-ines"],
        users["communaute-yann"],
        users["communaute-chloe"],
    )
    paul, amina, spammer = (
        users["communaute-paul"],
        users["communaute-amina"],
        users["communaute-vendeur"],
    )
    conseiller = users["communaute-conseiller"]
    service = "Service relation artistes-auteurs"
    topics = []

    def ask(user, category, title, body, kind="question"):
        topic = topic_create(user=user, category=c[category], title=title, body=body, kind=kind)
        topics.append(topic)
        return topic

    # Affiliation: a member's answer, validated with its source.
    t = ask(
        chloe,
        "affiliation",
        "Je commence la sculpture : dois-je m'affilier quelque part ?",
        "Je vends mes premières pièces cette année. Faut-il faire une démarche d'affiliation "
        "avant de déclarer mes revenus ?",
    )
    a = post_reply(
        user=paul,
        topic=t,
        body=(
            "Il n'y a plus de démarche d'affiliation séparée : vous déclarez vos revenus artistiques "
            "et vous êtes rattachée au régime des artistes-auteurs. Pensez à créer votre espace "
            "sur le site de l'Urssaf artistes-auteurs et à obtenir un SIRET."
        ),
    )
    answer_validate(
        user=conseiller,
        post=a,
        service_name=service,
        source_text="Code de la sécurité sociale, articles L382-1 et suivants",
        source_url="https://www.secu-artistes-auteurs.fr/",
        review_date=(now + datetime.timedelta(days=365)).date(),
    )
    answer_accept(user=chloe, post=a)

    # Cotisations: an answer of the organisation, and an accepted member answer.
    t = ask(
        ines,
        "cotisations",
        "Comment sont calculées mes cotisations si je déclare en BNC ?",
        "Photographe en BNC (régime micro), je ne comprends pas la base de calcul.",
    )
    post_reply(
        user=marc,
        topic=t,
        body="En micro-BNC, la base est ton chiffre d'affaires moins l'abattement, majoré de 15 %.",
    )
    official_answer_publish(
        user=conseiller,
        topic=t,
        service_name=service,
        body=(
            "En régime micro-BNC, l'assiette des cotisations est le montant des recettes diminué de "
            "l'abattement forfaitaire de 34 %, puis majoré de 15 %. Le détail figure dans votre "
            "espace en ligne, rubrique **Déclaration de revenus**."
        ),
        source_text="Guide des cotisations des artistes-auteurs",
        source_url="https://www.secu-artistes-auteurs.fr/",
    )
    t = ask(
        lea,
        "cotisations",
        "Mon éditeur a précompté mes cotisations : dois-je les redéclarer ?",
        "Sur mes droits d'auteur, l'éditeur a déjà retenu des cotisations. Je les déclare quand même ?",
    )
    a = post_reply(
        user=paul,
        topic=t,
        body="Oui : tu déclares le montant brut, le précompte est déduit de ce que tu dois.",
    )
    post_reply(
        user=marc, topic=t, body="Pareil pour moi avec la SACEM, le précompte vient en déduction."
    )
    answer_accept(user=lea, post=a)

    # Retraite: a validation past its review date (back in the review queue).
    t = ask(
        marc,
        "retraite",
        "Comment valider 4 trimestres de retraite avec de faibles revenus ?",
        "Mes revenus artistiques varient beaucoup. Que faire les mauvaises années ?",
    )
    a = post_reply(
        user=paul,
        topic=t,
        body=(
            "Il est possible de cotiser sur une assiette forfaitaire pour valider des trimestres : "
            "la demande se fait en ligne, avant la date limite de l'année suivante."
        ),
    )
    answer_validate(
        user=conseiller,
        post=a,
        service_name="Service retraite",
        source_text="Article L382-5 du code de la sécurité sociale",
        review_date=(now - datetime.timedelta(days=10)).date(),
    )
    official_reviews_mark_due(community=community, today=now.date())

    # Maladie-maternité and musique: unanswered questions.
    ask(
        amina,
        "maladie-maternite",
        "Indemnités journalières maternité : quelles conditions pour une autrice ?",
        "Je suis documentariste et j'attends un enfant pour l'automne. Quelles conditions de revenus ?",
    )
    ask(
        marc,
        "musique",
        "Droits SACEM et cotisations : faut-il tout déclarer ?",
        "Je touche des droits SACEM et quelques cachets. Qu'est-ce qui relève du régime des artistes-auteurs ?",
    )

    # Action sociale: an answer of the organisation.
    t = ask(
        yann,
        "action-sociale",
        "Existe-t-il une aide en cas de baisse brutale de revenus ?",
        "Un tournage annulé, plus de revenus pendant six mois. Que puis-je demander ?",
    )
    official_answer_publish(
        user=conseiller,
        topic=t,
        service_name="Service action sociale",
        body=(
            "La commission d'action sociale peut accorder une aide financière ponctuelle ou une prise "
            "en charge de cotisations. Déposez une demande avec vos justificatifs de revenus ; un "
            "conseiller vous rappelle sous quinze jours."
        ),
    )

    # Diffuseurs.
    t = ask(
        paul,
        "diffuseurs",
        "Petite maison d'édition : quelles contributions diffuseur verser ?",
        "Nous lançons une maison d'édition associative. Que devons-nous verser sur les droits payés ?",
    )
    post_reply(
        user=lea,
        topic=t,
        body="Tu dois la contribution diffuseur (1,1 %) et, si tu précomptes, les cotisations de l'auteur.",
    )

    # Audiovisuel: a validated answer edited afterwards (validation suspended).
    t = ask(
        yann,
        "audiovisuel",
        "Scénariste et intermittent : puis-je cumuler les deux régimes ?",
        "J'écris des scénarios (droits d'auteur) et je suis aussi technicien intermittent.",
    )
    a = post_reply(
        user=amina,
        topic=t,
        body="Oui, les deux activités relèvent de régimes distincts qui se cumulent.",
    )
    answer_validate(user=conseiller, post=a, service_name=service)
    post_edit(
        user=amina,
        post=a,
        body=(
            "Oui, les deux activités relèvent de régimes distincts qui se cumulent. Attention : les "
            "droits d'auteur ne comptent pas pour l'assurance chômage."
        ),
    )

    # Discussions, a members-only topic, a staff-only note.
    t = ask(
        sophie,
        "arts-graphiques",
        "Vos outils pour suivre factures et notes de droits",
        "Tableur, logiciel, carnet ? Partagez vos astuces.",
        kind="discussion",
    )
    post_reply(user=chloe, topic=t, body="Un simple tableur avec un onglet par diffuseur.")
    post_reply(user=lea, topic=t, body="J'utilise un logiciel libre de facturation.")
    t = ask(
        ines,
        "photographie",
        "Vente de tirages en galerie : revenus artistiques ?",
        "Les tirages limités vendus en galerie relèvent-ils des revenus artistiques ?",
    )
    post_reply(
        user=marc,
        topic=t,
        body="Les tirages signés et numérotés en série limitée, oui, à ma connaissance.",
    )
    t = ask(
        lea,
        "entre-membres",
        "Entraide pour la déclaration annuelle",
        "On se retrouve en visio début avril pour remplir nos déclarations ensemble ?",
        kind="discussion",
    )
    post_reply(user=paul, topic=t, body="Partant !")
    ask(
        conseiller,
        "equipe",
        "Réponse type : délais de remboursement des cotisations",
        "Proposition de réponse type à valider en réunion d'équipe.",
        kind="discussion",
    )

    # Flags: spam auto-hidden by three flags, a post with personal data flagged once.
    t = topics[0]
    spam = post_reply(
        user=spammer, topic=t, body="Gagnez 3000 € par mois depuis chez vous, contactez-moi !"
    )
    for flagger in (lea, marc, ines):
        flag_create(user=flagger, post=spam, reason="spam")
    t = topics[2]
    leak = post_reply(
        user=chloe, topic=t, body="Je vous mets mon relevé, mon numéro est 2 85 05 75 123 456 78."
    )
    flag_create(
        user=paul, post=leak, reason="personal_data", text="Numéro de sécurité sociale visible."
    )

    _second_wave(ask, users, conseiller=conseiller, service=service)

    _tags_and_watchers(community, topics, moderator=sophie, member=lea)

    # Levels again, with the posts they just wrote.
    for profile in MemberProfile.objects.filter(community=community):
        trust_level_update(profile=profile)
    for topic in topics:
        _backdate(topic, rng, now)
    return community


def _second_wave(ask, users, *, conseiller, service) -> None:
    """More questions across the branches: answered with mentions, validated and accepted,
    answered by the organisation, still unanswered, and two more pending flags (off-topic,
    inappropriate) for the review queue."""
    hugo, sarah, theo = (
        users["communaute-hugo"],
        users["communaute-sarah"],
        users["communaute-theo"],
    )
    julie, omar = users["communaute-julie"], users["communaute-omar"]
    paul, chloe, marc = (
        users["communaute-paul"],
        users["communaute-chloe"],
        users["communaute-marc"],
    )
    lea = users["communaute-membre"]

    t = ask(
        sarah,
        "livre",
        "Bourse de résidence d'écriture : est-ce un revenu artistique ?",
        "J'ai obtenu une bourse pour une résidence de trois mois. Dois-je la déclarer avec mes "
        "droits d'auteur ?",
    )
    a = post_reply(
        user=paul,
        topic=t,
        body=(
            "Oui @Sarah romancière : les bourses de création, de recherche ou de résidence "
            "attribuées à un auteur pour son œuvre font partie des revenus artistiques à déclarer."
        ),
    )
    answer_validate(
        user=conseiller,
        post=a,
        service_name=service,
        source_text="Code de la sécurité sociale, article R382-1-1",
    )
    answer_accept(user=sarah, post=a)

    t = ask(
        hugo,
        "arts-graphiques",
        "Ateliers dans une école d'art : activité accessoire ou salariat ?",
        "On me propose d'animer des ateliers autour de mes peintures. Comment sont-ils déclarés ?",
    )
    a = post_reply(
        user=chloe,
        topic=t,
        body=(
            "@Hugo peint, les ateliers liés à ton œuvre peuvent être des activités accessoires, "
            "dans la limite d'un plafond annuel ; au-delà, c'est du salariat."
        ),
    )
    post_reply(user=marc, topic=t, body="Même chose pour mes masterclass de composition.")
    answer_accept(user=hugo, post=a)

    t = ask(
        julie,
        "photographie",
        "Commande d'une mairie : qui verse la contribution diffuseur ?",
        "Une commune me commande une série de portraits. Est-ce à elle de verser la contribution ?",
    )
    post_reply(
        user=lea,
        topic=t,
        body="Je crois que oui @Julie reportage, toute structure qui te paie des droits est diffuseur.",
    )
    official_answer_publish(
        user=conseiller,
        topic=t,
        service_name="Service diffuseurs",
        body=(
            "Oui : une collectivité qui rémunère un artiste-auteur est un diffuseur. Elle déclare "
            "les sommes versées et verse la contribution diffuseur ; elle précompte vos "
            "cotisations sauf si vous lui remettez une dispense."
        ),
        source_text="Code de la sécurité sociale, article L382-4",
    )

    # Still waiting for an answer (the helpers' queue).
    ask(
        theo,
        "musique",
        "Vente de beats en ligne : droits d'auteur ou bénéfices commerciaux ?",
        "Je vends des licences de mes instrumentales sur une plateforme. Quel régime ?",
    )
    ask(
        omar,
        "audiovisuel",
        "Série animée : déclarer des droits versés en plusieurs fois",
        "Mon producteur verse des avances puis des droits d'exploitation. Quelle année déclarer ?",
    )

    # Two more pending flags for the review queue.
    t = ask(
        omar,
        "affiliation",
        "SIRET perdu : comment le retrouver ?",
        "Je ne retrouve plus mon numéro SIRET pour ma déclaration.",
    )
    post_reply(
        user=julie, topic=t, body="Sur l'annuaire des entreprises, avec ton nom et ta ville."
    )
    off_topic = post_reply(
        user=theo, topic=t, body="Quelqu'un connaît un bon studio de répétition à Lyon ?"
    )
    flag_create(user=julie, post=off_topic, reason="off_topic")
    rude = post_reply(
        user=marc, topic=t, body="Franchement, chercher son SIRET soi-même, ce n'est pas si dur."
    )
    flag_create(user=omar, post=rude, reason="inappropriate", text="Ton condescendant.")


# The team's tag list, and the words of a title that earn each tag.
DEMO_TAGS = {
    "Précompte": ("précompte", "diffuseur"),
    "Retraite": ("retraite", "trimestre"),
    "Déclaration de revenus": ("déclar", "revenus", "bnc"),
    "Affiliation": ("affili", "commence", "débute"),
}


def _tags_and_watchers(community, topics, *, moderator, member) -> None:
    """The demo's tags on the topics whose titles call for them, and the member account
    watching the « cotisations » category with a weekly digest."""
    from relais.community.services.digest import digest_frequency_set
    from relais.community.services.notifications import subscription_set
    from relais.community.services.tags import tag_create

    for name, words in DEMO_TAGS.items():
        tag = tag_create(user=moderator, community=community, name=name)
        tag.topics.add(*[t for t in topics if any(w in t.title.lower() for w in words)])
    category = community.categories.filter(slug="cotisations").first()
    if category is not None:
        subscription_set(user=member, community=community, category=category, watch=True)
    profile = MemberProfile.objects.get(community=community, user=member)
    digest_frequency_set(profile=profile, frequency="weekly", actor=member, source="demo")


ORGANIZATION_SLUG = "secu-artistes-auteurs"
DEMO_LOGINS = (
    ("communaute-membre", _("membre")),
    ("communaute-moderatrice", _("modératrice")),
    ("communaute-conseiller", _("superviseur")),
    ("communaute-admin", _("administrateur")),
)


def load_demo_for_platform(*, reset: bool = False) -> list[DemoLogin]:
    """``load_demo``'s step (``relais.core.demo``): the demo community in the artists-authors'
    body, created when missing. Idempotent; ``reset`` keeps an existing community as it is."""
    organization, _created = Organization.objects.get_or_create(
        slug=ORGANIZATION_SLUG, defaults={"name": "Sécurité sociale des artistes-auteurs"}
    )
    community = load_community_demo(organization)
    where = _("communauté « %(name)s »") % {"name": community.name}
    return [DemoLogin(username, str(role), where) for username, role in DEMO_LOGINS]
