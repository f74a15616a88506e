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
from relais.frontdoor.services.joint_answers import (
    joint_answer_decide,
    joint_answer_edit,
    joint_answer_propose,
    joint_answer_withdraw,
)
from relais.frontdoor.services.reminders import reminders_send
from relais.frontdoor.services.space import (
    mentions_notify,
    offer_create,
    offer_link,
    offer_update,
    request_tracking_consult,
    request_tracking_download,
    survey_answer,
    survey_open,
)

__all__ = [
    "acknowledgement_context",
    "answer_send",
    "assignment_accept",
    "assignment_refuse",
    "assignment_transfer",
    "joint_answer_decide",
    "joint_answer_edit",
    "joint_answer_propose",
    "joint_answer_withdraw",
    "mentions_notify",
    "message_post",
    "offer_create",
    "offer_link",
    "offer_update",
    "request_acknowledge",
    "request_assign",
    "request_close",
    "request_personal_data_reveal",
    "request_route",
    "request_set_waiting",
    "request_submit",
    "request_tracking_consult",
    "request_tracking_download",
    "survey_answer",
    "survey_open",
    "reminders_send",
]
