"""Pure legal-domain knowledge with no I/O: the citation grammar (`legal.citations`), quotation alignment
(`legal.quotations`), Chinese article numerals (`legal.numerals`), UK parties in the courts' case
(`legal.parties`), and the vocabulary every layer shares, each item once: the grounds (`legal.grounds`), the months
and the Court's dates (`legal.dates`), the member states (`legal.states`), the PRC statutes and their English titles
(`legal.prc`), a paragraph's printed number and the English stop words (`legal.text`).

Why a package of its own: the same grammar serves the check, the citation graph, drafting and ranking, and it has to
be testable on text alone, without a store, a model or the corpus. Nothing here imports `kb`, `ingest` or `ui`.
"""
