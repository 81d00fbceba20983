"""The language a policy author writes: the strict YAML reader, the pydantic models of
policy and source files, source documents, and the expression language."""
