"""Readers and validation for vacancies and credential catalogues: source profiles,
cleaning, de-duplication and quarantine, written to the store."""
