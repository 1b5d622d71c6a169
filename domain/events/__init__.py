"""The hospital's event feed (HL7 v2 from the PAS): what each message is, and what the portal does with it."""
