"""The opener policy of a learner's window launched from an LMS (SCORM package).

Relais answers ``Cross-Origin-Opener-Policy: same-origin`` (Django's default): a page of
another origin that opens Relais loses its handle on the window, and Relais loses
``window.opener``. The SCORM launcher, served by the LMS on its own origin, needs that handle
back: the exercise page posts the score to ``window.opener``. And every page that the window
loads counts, not only the exercise: the browser severs the opener for good as soon as one
document in it answers another policy (the login page, the CRM pages where the learner does
the work), so relaxing the exercise pages alone never works.

So the relaxation follows the launch, not a list of pages: when an exercise page is opened with
``?lms=<origin>`` (a web origin, and one of ``RELAIS_LMS_ORIGINS`` when that setting lists
some), the session remembers the LMS origin, and from then on this session's responses answer
``unsafe-none`` — for an anonymous visitor on the way to the login page, and for a learner; never
for anyone who can manage training (trainers, administrators) nor for any other role. Every
other session keeps ``same-origin``. The exercise page posts the score to that origin only.
"""

from django.conf import settings
from django.urls import Resolver404, resolve

from relais.training.permissions import Permission
from relais.training.scorm import lms_origin

LMS_ORIGIN_SESSION_KEY = "training.lms_origin"
OPENER_POLICY = "Cross-Origin-Opener-Policy"
LAUNCH_URL_NAMES = {"training:exercise-detail"}


def allowed_lms_origin(value: str) -> str:
    """The LMS origin of a launch if Relais accepts it, else ""."""
    origin = lms_origin(value)
    allowed = [o.strip().lower().rstrip("/") for o in getattr(settings, "RELAIS_LMS_ORIGINS", [])]
    if origin and allowed and origin not in allowed:
        return ""
    return origin


def _is_launch(request) -> bool:
    if "lms" not in request.GET or request.method != "GET":
        return False
    try:
        return resolve(request.path_info).view_name in LAUNCH_URL_NAMES
    except Resolver404:
        return False


def _may_relax(user) -> bool:
    if user is None or not user.is_authenticated:
        return True
    return user.has_role_permission(Permission.TRAINING_PRACTISE) and not (
        user.has_role_permission(Permission.TRAINING_MANAGE)
    )


class LmsLaunchOpenerPolicyMiddleware:
    """Place it after the session and authentication middleware (so inside Django's
    ``SecurityMiddleware``, which only sets the header when a response has none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and _is_launch(request):
            origin = allowed_lms_origin(request.GET["lms"])
            if origin:
                session[LMS_ORIGIN_SESSION_KEY] = origin
            else:
                session.pop(LMS_ORIGIN_SESSION_KEY, None)
        response = self.get_response(request)
        if (
            session is not None
            and session.get(LMS_ORIGIN_SESSION_KEY)
            and _may_relax(getattr(request, "user", None))
        ):
            response[OPENER_POLICY] = "unsafe-none"
        return response


def launched_lms_origin(request) -> str:
    """The LMS origin this session's exercise window was launched from ("" if none)."""
    session = getattr(request, "session", None)
    return session.get(LMS_ORIGIN_SESSION_KEY, "") if session is not None else ""
