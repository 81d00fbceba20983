"""From a checked policy file to its immutable compiled form, in named stages, and the
loading of policy folders."""
