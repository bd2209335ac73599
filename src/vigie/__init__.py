"""Vigie: triage of messaging-app content around drug trafficking."""

__version__ = "0.1.0"

__all__ = ["__version__"]
