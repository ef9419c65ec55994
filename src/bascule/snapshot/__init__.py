"""Stage 2: validate and normalise the records of one import into a campaign Snapshot (pure).
Imports exports' records, domain and errors; no XML, SQL or HTTP library."""
