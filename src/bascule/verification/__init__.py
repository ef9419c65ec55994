"""Step IV of the memo: does every teacher reach what they teach, every élève their class and
groups, and is nothing left of last year? model is pure; gather reads the store and the targets
(never writing), report writes the HTML page. Imports spaces, targets, store and below."""
