"""Errors the domain raises for bad input; each message is one line a user can act on."""


class InputError(ValueError):
    """The request is wrong (bad file, bad value, unknown id). The CLI exits 2; nothing was written."""


class NotFoundError(InputError):
    """An id or name that names nothing."""
