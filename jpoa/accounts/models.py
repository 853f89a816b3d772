"""Roles and the organisation or country a user speaks for."""
