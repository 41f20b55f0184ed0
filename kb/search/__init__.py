"""Search: the Haystack retrieval pipeline, the legal ranker, the facts-section index and evaluation on it."""
