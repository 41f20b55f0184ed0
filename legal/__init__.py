"""Pure legal-domain knowledge with no I/O: the citation grammar (`legal.citations`), quotation alignment
(`legal.quotations`), Chinese article numerals (`legal.numerals`) and the grounds' vocabulary (`legal.grounds`).

Why a package of its own: the same grammar serves the check, the citation graph, drafting and ranking, and it has to
be testable on text alone, without a store, a model or the corpus. Nothing here imports `kb`, `ingest` or `ui`.
"""
