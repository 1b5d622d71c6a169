"""What a person sees: Textual screens, modals and widgets. No SQL and no rules here."""
