"""Records from outside: the FHIR importer and its mapping, and reading them back."""
