"""Notifications: every one is written to the outbox; e-mail goes out only when SMTP is set."""
