"""jpoa: keep, analyse and publish a regional Joint Plan of Action for the
UN Global Counter-Terrorism Strategy."""

__version__ = "0.1.0"
