"""Deciding one case: the case file it is read from, the case model, the evaluation of a
compiled policy, the trace, and the decision it returns."""
