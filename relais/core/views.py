"""The shell's pages: the home page at ``/``, for staff and for anonymous visitors."""

from django.http import HttpResponseRedirect
from django.shortcuts import render
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
