"""What a policy author runs besides the engine: lint and the tests written next to policies."""
