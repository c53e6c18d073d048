"""The viewer's settings: on/off, address, port and the public URL visitors use. Bad input is named in one line
and nothing is saved until everything is valid."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..store import settings
from ..store.models import db
from ..store.settings import SettingError

KEYS = ("viewer.enabled", "viewer.host", "viewer.port", "viewer.public_url")


class ViewerSettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Viewer settings")
        self.setMinimumWidth(440)
        self.enabled = QCheckBox("Run the viewer with the app")
        self.enabled.setChecked(settings.get_bool("viewer.enabled"))
        self.host = QLineEdit(settings.get("viewer.host"))
        self.host.setToolTip("127.0.0.1 keeps it on this computer; 0.0.0.0 opens it to your network")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(int(settings.get("viewer.port")))
        self.public_url = QLineEdit(settings.get("viewer.public_url"))
        self.public_url.setPlaceholderText("https://docs.example.com (optional: when visitors come through a proxy)")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.enabled)
        form.addRow("Address", self.host)
        form.addRow("Port", self.port)
        form.addRow("Public URL", self.public_url)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def values(self) -> dict[str, str]:
        return {"viewer.enabled": "true" if self.enabled.isChecked() else "false", "viewer.host": self.host.text(),
                "viewer.port": str(self.port.value()), "viewer.public_url": self.public_url.text()}

    def save(self) -> None:
        values = self.values()
        try:
            if not values["viewer.host"].strip():
                raise SettingError("the address is empty (127.0.0.1 for this computer only)")
            checked = {key: settings.validate(key, value) for key, value in values.items()}
        except SettingError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        with db.atomic():
            for key, value in checked.items():
                settings.set_value(key, value)
        self.accept()
