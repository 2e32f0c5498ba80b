"""Z39.50 (ANSI/NISO Z39.50, ISO 23950) client for finding records in other libraries' catalogues."""
