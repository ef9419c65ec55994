"""Stage 3: diff(Snapshot, DirectoryState) -> Plan of typed actions. Pure: no store, no I/O."""
