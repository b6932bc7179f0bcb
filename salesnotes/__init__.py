"""salesnotes: a field sales rep's portfolio as plain-text notes, turned into views."""

__version__ = "0.1.0"
