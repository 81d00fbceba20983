"""What an auditor asks of decisions: re-verification, two independent reviews, why not
another outcome."""
