"""vigie.observe."""
