"""Pure legal-domain code with no I/O: vocabulary and text rules that import nothing from kb, ingest or ui."""
