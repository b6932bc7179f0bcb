"""The files of a new vault: `common/` for every vault, `pl/` or `en/` laid over it.

Data only; `salesnotes.vaultinit` reads and copies it. Dotfiles are stored without their dot
(`gitignore`) so packaging tools do not skip them; they get the dot when copied.
"""
