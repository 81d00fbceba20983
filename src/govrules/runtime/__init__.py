"""Deciding one case: the case model, the evaluation of a compiled policy, the trace, and the
decision it returns."""
