"""The desk's own rules: staff accounts and sign-in, finding and opening a patient."""
