"""Below every layer: user-facing errors, safe file writing (``safeio``), the run folder's layout and
readers (``runfolder``) and its lock (``runlock``), bytes to text for exports and user-edited YAML
alike (``decoding``), one key to compare handles (``handles``), checks of single values, and the
shared real data's location. Imports nothing else of ``audit``."""
