"""The SMS outbox, the senders (GOV.UK Notify, a file) and the reminders' queue."""
