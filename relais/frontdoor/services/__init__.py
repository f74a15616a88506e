"""The front door's business actions, one function each (keyword-only, transactional)."""

from relais.frontdoor.services.handling import (
    answer_send,
    assignment_accept,
    assignment_refuse,
    assignment_transfer,
    message_post,
    request_assign,
    request_close,
    request_personal_data_reveal,
    request_set_waiting,
)
from relais.frontdoor.services.intake import (
    acknowledgement_context,
    request_acknowledge,
    request_route,
    request_submit,
)
from relais.frontdoor.services.reminders import reminders_send

__all__ = [
    "acknowledgement_context",
    "answer_send",
    "assignment_accept",
    "assignment_refuse",
    "assignment_transfer",
    "message_post",
    "request_acknowledge",
    "request_assign",
    "request_close",
    "request_personal_data_reveal",
    "request_route",
    "request_set_waiting",
    "request_submit",
    "reminders_send",
]
