"""The UI layer: windows, dialogs, table models, tray (the UI issue builds it out)."""
