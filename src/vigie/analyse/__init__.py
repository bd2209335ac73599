"""vigie.analyse."""
