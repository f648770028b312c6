"""Rules about the linter's own directives (ET9xx)."""
