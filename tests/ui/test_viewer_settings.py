"""The viewer settings dialog: one-line errors that save nothing; valid values saved together."""

import pytest
from PySide6.QtWidgets import QDialog

from docsend_desktop.store import settings
from docsend_desktop.ui.viewer_settings_dialog import ViewerSettingsDialog


@pytest.fixture
def dialog(qtbot, database):
    d = ViewerSettingsDialog()
    qtbot.addWidget(d)
    return d


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("public_url", "ftp://docs.example.com", "http(s) URL"), ("public_url", "docs.example.com", "http(s) URL"),
     ("host", "   ", "address is empty")],
)
def test_bad_input_is_named_and_nothing_is_saved(dialog, field, value, message):
    before = settings.all_values()
    dialog.port.setValue(9999)
    getattr(dialog, field).setText(value)
    dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.isVisibleTo(dialog) and message in dialog.error.text()
    assert settings.all_values() == before  # not even the valid port


def test_valid_values_are_saved_together(dialog):
    dialog.enabled.setChecked(False)
    dialog.host.setText("0.0.0.0")
    dialog.port.setValue(9090)
    dialog.public_url.setText("https://docs.example.com/")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert [settings.get(k) for k in ("viewer.enabled", "viewer.host", "viewer.port", "viewer.public_url")] == [
        "false", "0.0.0.0", "9090", "https://docs.example.com"]
