"""vigie.store."""
