"""Indexing: documents to chunks, embeddings and the store, for `kb ingest` and `kb update` (with the hand-over
inbox and the file memo that spares unchanged corpus files)."""
