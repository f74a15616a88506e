"""The shell's pages: the home page at ``/``, for staff and for anonymous visitors."""

from pathlib import Path

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from relais.core.navigation import nav_entries_for_request


class HomeView(View):
    """``/``: a signed-in user gets the tools their role opens in the current workspace (or
    goes straight to the only one); an anonymous visitor gets the public home page, dressed in
    the branding of the organization owning the host."""

    http_method_names = ["get", "head"]

    def get(self, request):
        if not request.user.is_authenticated:
            items = nav_entries_for_request(request, public=True)
            return render(request, "public_home.html", {"public_items": items})
        items = nav_entries_for_request(request, public=False)
        if len(items) == 1 and items[0].url != request.path:
            return HttpResponseRedirect(items[0].url)
        return render(request, "home.html", {"items": items})


FAVICON = Path(__file__).resolve().parent.parent / "static" / "relais" / "favicon.ico"


def favicon(request):
    """``/favicon.ico``, which browsers ask for whatever the page says (JSON, downloads)."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def api_not_found(request, *args, **kwargs):
    """Any address under /api/ that the API does not know (a malformed id in the path, a
    typo): a JSON 404 like the API's own, never the HTML page."""
    return JsonResponse(
        {
            "detail": _(
                "Adresse inconnue de l'API : vérifiez le chemin et les identifiants (UUID). "
                "Documentation : /api/docs"
            )
        },
        status=404,
    )
