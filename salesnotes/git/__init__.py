"""The only place that runs git: commits and the contact history."""
