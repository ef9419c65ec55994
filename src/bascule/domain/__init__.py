"""Pure values and rules of the school world. Imports nothing but the standard library."""
