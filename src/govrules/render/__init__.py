"""Renderings of decisions for people (text) and programs (JSON is ``Decision.to_json``)."""

from govrules.render.text import explain_text

__all__ = ["explain_text"]
