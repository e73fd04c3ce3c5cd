"""Annotations' and teaching's migrations as they were on main, before the
classes app: the new ones replace them (`replaces`), and a test builds a
database with these to check that it migrates forward with every row."""
