"""Accounts, codes and password hashing."""
