"""Users, their roles, and the units each role may see and change."""
