"""The pedagogical server's storage spaces: the tree, who reaches what, quotas, cleanups. model is
pure (folder names: domain/naming); tree, usage and cleanup touch the file system. Imports
targets, store and what is below them, never feeds, verification or above."""
