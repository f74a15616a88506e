"""The front door's models, by topic: the network (bodies, commitments, referents) and the
requests (assignments to bodies, thread, history, answers)."""

from relais.frontdoor.models.network import (
    ELECTRONIC_CHANNELS,
    Body,
    BodyCode,
    Commitment,
    Network,
    Priority,
    Referent,
    RequestChannel,
)
from relais.frontdoor.models.requests import (
    ACTIVE_ASSIGNMENT_STATES,
    ESCALATION,
    OPEN_STATES,
    Answer,
    AssignmentState,
    Message,
    Reminder,
    ReminderKind,
    Request,
    RequestAssignment,
    RequesterRole,
    RequestEvent,
    RequestState,
    Visibility,
)
from relais.frontdoor.models.space import (
    RequestOffer,
    RoutingModel,
    SatisfactionSurvey,
    ServiceOffer,
)

__all__ = [
    "ACTIVE_ASSIGNMENT_STATES",
    "ELECTRONIC_CHANNELS",
    "ESCALATION",
    "OPEN_STATES",
    "Answer",
    "AssignmentState",
    "Body",
    "BodyCode",
    "Commitment",
    "Message",
    "Network",
    "Priority",
    "Referent",
    "Reminder",
    "ReminderKind",
    "Request",
    "RequestAssignment",
    "RequestChannel",
    "RequestEvent",
    "RequestOffer",
    "RoutingModel",
    "SatisfactionSurvey",
    "ServiceOffer",
    "RequestState",
    "RequesterRole",
    "Visibility",
]
