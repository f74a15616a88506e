"""The REST API: one OpenAPI 3 document at /api/openapi.json, browsable docs at /api/docs.

Every endpoint needs a signed-in user: either a personal API token
(``Authorization: Bearer <key>``, see ``create_api_token``) or the web session, in which
case writes carry the CSRF token (``X-CSRFToken`` header) like the web forms do.
The docs page is Swagger UI served from the static files of the ``ninja`` package: nothing
is loaded from a CDN.
"""

from uuid import UUID

from ninja import Field, NinjaAPI, Schema, Swagger
from ninja.pagination import paginate
from ninja.security import django_auth

from relais.core.accounts.api_auth import ApiTokenAuth
from relais.core.accounts.permissions import permissions_of_user
from relais.core.accounts.roles import Role
from relais.core.accounts.selectors import roles_held
from relais.core.api import ERROR_RESPONSES, Pagination, install_error_handlers
from relais.core.knowledge.api import router as knowledge_router
from relais.core.workspaces.selectors import workspaces_for_user
from relais.crm.api import router as crm_router
from relais.journeys.api import router as journeys_router
from relais.training.api import router as training_router


class RelaisAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # Short, stable ids ("list_customers") for generated clients; names are unique.
        return operation.view_func.__name__


api = RelaisAPI(
    title="Relais API",
    version="1",
    description=(
        "API REST de Relais. Authentification par session (avec jeton CSRF) ou par jeton "
        "personnel (en-tête `Authorization: Bearer <jeton>`). Chaque enregistrement est "
        'désigné par son identifiant public (UUID). Erreurs : `{"detail": "…"}`, plus '
        "`errors` (`{champ: [messages]}`) pour les données invalides (422)."
    ),
    urls_namespace="api",
    auth=[ApiTokenAuth(), django_auth],
    # No validator badge: Swagger UI would otherwise send the document to swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)


class MeOut(Schema):
    username: str
    display_name: str
    first_name: str
    last_name: str
    email: str
    role: str
    role_label: str
    organization: str | None
    permissions: list[str]

    @staticmethod
    def resolve_role(obj) -> str:
        return _main_role(obj)

    @staticmethod
    def resolve_role_label(obj) -> str:
        role = _main_role(obj)
        return str(Role(role).label) if role in Role.values else ""

    @staticmethod
    def resolve_organization(obj) -> str | None:
        return obj.organization.name if obj.organization_id else None

    @staticmethod
    def resolve_permissions(obj) -> list[str]:
        return sorted(permissions_of_user(obj))


def _main_role(user) -> str:
    """The role shown for the account: the one held in its home organization, else any role it
    holds (the first in ``Role`` order); permissions are those of every role held."""
    held = roles_held(user, organization=user.organization_id) if user.organization_id else None
    held = held or roles_held(user)
    return next((role for role in Role.values if role in held), "")


class WorkspaceOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    kind: str
    organization: str

    @staticmethod
    def resolve_organization(obj) -> str:
        return obj.organization.name


@api.get("me", response={200: MeOut, **ERROR_RESPONSES}, tags=["Compte"], summary="Moi")
def get_me(request):
    return request.auth


@api.get(
    "workspaces/",
    response={200: list[WorkspaceOut], **ERROR_RESPONSES},
    tags=["Compte"],
    summary="Mes espaces de travail",
)
@paginate(Pagination)
def list_workspaces(request):
    return workspaces_for_user(user=request.auth).order_by("kind", "name", "id")


api.add_router("workspaces/{uuid:workspace_id}/", crm_router)
api.add_router("training/", training_router)
api.add_router("knowledge/", knowledge_router)
api.add_router("journeys/", journeys_router)
