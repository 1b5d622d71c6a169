"""Text messages: the outbox's rules, their wording, sending them on."""
