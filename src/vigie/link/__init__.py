"""vigie.link."""
