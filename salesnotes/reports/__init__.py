"""The numbers behind each view: budget, pay, week plan, checklists, status."""
