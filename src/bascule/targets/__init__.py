"""Directory targets: the school's pedagogical server directory (OpenLDAP, Active Directory),
provisioned from the store as a difference. model and diff are pure (names: domain/naming);
entries, client, store_view and sync are the adapters (python-ldap, the store). Imports store
and what is below it, never spaces, feeds, verification or above."""
