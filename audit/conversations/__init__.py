"""Layer 2, conversations: messages rebuilt into threads (``threads``), the analysis window
(``window``), and what a brand reply's text says about how it was written (``voice``)."""
