import json
from dataclasses import dataclass

import pytest

from docsend_desktop.cli import main
from docsend_desktop.store.database import close_database


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(capsys, data_dir):
    """``cli("links", "list", "--json")`` runs the real command line in-process against a temporary data dir."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = main(["--data-dir", str(data_dir), *args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
        finally:
            close_database()
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
