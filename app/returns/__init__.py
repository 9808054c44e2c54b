"""Returns after partial acceptance or refusal."""
