"""The sync layer: DocSend's rules, the engine (one pass), and the QThread worker (DESIGN §3–§5)."""
