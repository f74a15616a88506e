"""Letter, e-mail and SMS campaigns, sent fictitiously, with simulated reactions."""
