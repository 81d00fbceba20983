"""Renderings of decisions for people (text) and programs (JSON is ``Decision.to_json``)."""

from govrules.explain.html import explain_html, explain_markdown
from govrules.explain.notice import missing_notice
from govrules.explain.text import explain_text
from govrules.explain.timeline import deadline_entries, deadline_timeline

__all__ = [
    "deadline_entries",
    "deadline_timeline",
    "explain_html",
    "explain_markdown",
    "explain_text",
    "missing_notice",
]
