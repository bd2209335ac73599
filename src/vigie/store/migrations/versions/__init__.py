"""Migration scripts, one per revision, never edited once released."""
