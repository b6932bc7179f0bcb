"""Loading above the model: the pure vault fed by local state (cache, who-is-who) and git."""
