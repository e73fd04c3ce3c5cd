"""No migration: on main, classes had no app of their own."""
