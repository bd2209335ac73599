"""vigie.web."""
