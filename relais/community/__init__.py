"""The community platform (seed ``001_…``): forum with official answers, moderation, chat,
polls, events, gamification, KPIs, SSO and SEO.

Built on the shared kernel only: it imports ``relais.core`` and never another app (the
import-linter contracts in ``pyproject.toml`` say so). Members, their posts' touchpoints and
validated answers go through core's contacts, interaction log and knowledge base.
"""
