"""Feeds to the other platforms (GAR, ENT…), from the store. gar is pure; store reads, xml
writes the files."""
