"""Below every layer: user-facing errors, safe file writing, the run folder's layout, checks that
need no data, and the shared real data's location. Imports nothing else of ``audit``."""
