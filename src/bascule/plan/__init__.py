"""Stage 3: diff(Snapshot, StoreState) -> Plan of typed actions. Pure: no store, no I/O.
Imports snapshot, exports' records and domain only."""
