"""Exchange with other library systems: MARC files, SRU/Z39.50, SIP2."""
