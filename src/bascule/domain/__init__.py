"""Pure values and rules of the school world (UAI, school year, names, logins, reserved names,
structures' names on the targets, passwords, calendar, policy, ENT access). Imports nothing of
bascule; of libraries, only anyascii."""
