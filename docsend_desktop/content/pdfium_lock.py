"""pdfium is not thread-safe: every use of it in this process (page counting when a document is added,
page rendering in the viewer) holds this one lock."""

import threading

PDFIUM_LOCK = threading.Lock()
