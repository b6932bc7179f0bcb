"""A sales manager's roll-up over every rep's vault, with git as the engine."""
