"""Changing the rep's files byte-safely: notes, new clients, checklists, new vaults."""
