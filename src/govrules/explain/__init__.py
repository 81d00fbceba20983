"""Renderings of a decision for people: text, Markdown, HTML, a deadline timeline, the
one-time notice of missing facts. Each is a pure function of the decision (its JSON for
programs is ``Decision.to_json``)."""

from govrules.explain.html import explain_html
from govrules.explain.markdown import explain_markdown
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
