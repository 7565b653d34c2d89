"""Reporting: the dashboard, read from the platform's counters."""
