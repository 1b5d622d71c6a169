"""Staff accounts and their second factor."""
