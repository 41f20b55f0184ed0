"""Drafting: client matters, argument assembly with checked footnotes, and DOCX/Markdown export."""
