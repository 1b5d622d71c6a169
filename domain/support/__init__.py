"""Problem reports: a person tells us something did not work, and gets a reply."""
