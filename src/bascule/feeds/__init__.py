"""Feeds to the other platforms (GAR, ENT/AAF, Eléa/Moodle), from the store. gar is pure;
store reads, the writers write the files. Imports spaces, targets, store and below, never
verification, operations or above."""
