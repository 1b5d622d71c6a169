"""HL7 v2 messages received: parsed with python-hl7, stored first, acknowledged; the MLLP listener."""
