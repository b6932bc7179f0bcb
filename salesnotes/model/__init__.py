"""The vault as data: config, notes, ledger, breath, the portfolio. Pure."""
