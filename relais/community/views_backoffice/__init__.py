"""The community's back office (indicators, switches, categories, trust levels, banned words,
widget allow-list, accessibility statement), the public accessibility statement and the
embeddable widget.

Back-office pages are for the organisation's staff: indicators need ``community.kpis``
(supervisors, administrators), settings need ``community.manage`` (administrators). The
widget's pages are the only ones of Relais that another site may frame: they drop
``X-Frame-Options`` and send ``Content-Security-Policy: frame-ancestors`` with the
community's allow-list; its questions are readable cross-origin (CORS) by those sites only.
The widget always reads as an anonymous visitor: public categories only, whoever is signed in.
"""

from relais.community.views_backoffice.accessibility import (
    AccessibilityEditView,
    AccessibilityStatementView,
)
from relais.community.views_backoffice.base import SECTIONS, BackofficeView
from relais.community.views_backoffice.content_rules import ContentRulesView
from relais.community.views_backoffice.dashboard import DashboardView
from relais.community.views_backoffice.embed import EmbedView
from relais.community.views_backoffice.settings_pages import (
    CategoriesView,
    CategoryEditView,
    CategoryModeratorsView,
    FeaturesView,
    TrustView,
    WordsView,
)
from relais.community.views_backoffice.widget import (
    WidgetDataView,
    WidgetFrameView,
    WidgetScriptView,
    frame_ancestors,
)

__all__ = [
    "SECTIONS",
    "AccessibilityEditView",
    "AccessibilityStatementView",
    "BackofficeView",
    "CategoriesView",
    "CategoryEditView",
    "CategoryModeratorsView",
    "ContentRulesView",
    "DashboardView",
    "EmbedView",
    "FeaturesView",
    "TrustView",
    "WidgetDataView",
    "WidgetFrameView",
    "WidgetScriptView",
    "WordsView",
    "frame_ancestors",
]
