"""Everything under `.salesnotes/`: cache, review state, who-is-who index, lock."""
