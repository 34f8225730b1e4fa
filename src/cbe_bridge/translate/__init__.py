"""Back-translation for people: GPA listings and the lineage of every figure (``explain``)."""
