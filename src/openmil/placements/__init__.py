"""Matching rounds: scores from the platform's data, proposals reviewed by people."""
