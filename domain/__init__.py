"""The hospital's rules: entities, value objects, policies, ports and use cases — no UI, no database."""
