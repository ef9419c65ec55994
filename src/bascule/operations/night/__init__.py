"""`bascule run`: the night's work of every school of the folder, on the calendar (issue 18)."""
