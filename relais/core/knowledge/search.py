"""The knowledge base's full-text index (``relais.core.search.ProseIndex``)."""

from relais.core.search import ProseIndex

ENTRY_INDEX = ProseIndex(
    table="knowledge_entry",
    name="knowledge_entry_fts",
    fields=(("question", 3.0), ("tags", 2.0), ("answer", 1.0)),
)
