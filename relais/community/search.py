"""The forum's French full-text index (``relais.core.search.ProseIndex``): topic titles and
the text of their question."""

from relais.core.search import ProseIndex

TOPIC_INDEX = ProseIndex(
    table="community_topic",
    name="community_topic_fts",
    fields=(("title", 3.0), ("excerpt", 1.0)),
)
