"""Problem reports and their replies in the database."""
