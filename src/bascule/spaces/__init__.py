"""The pedagogical server's storage spaces: the tree, who reaches what, quotas, cleanups.
names and model are pure; tree, usage and cleanup touch the file system. Imports targets, store
and what is below them, never feeds, verification or above."""
