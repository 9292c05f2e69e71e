"""Expected failures: the message is one sentence a person can act on."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused action. Nothing was changed; `message` says what to do."""

    def __init__(self, message: str, *, block_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.block_id = block_id  # the modal field to show it under, when there is one


class NotOnRoster(UserError):
    def __init__(self) -> None:
        super().__init__(
            "You're not on the coaching roster yet: ask your sales manager or a coach admin "
            "to add you (`/coach add @you rep @manager`)."
        )


class NotSetUp(UserError):
    def __init__(self) -> None:
        super().__init__(
            "coach isn't set up in this workspace yet: whoever runs coach imports the roster "
            "first (`coach roster import roster.csv`), then try again."
        )


class NotAllowed(UserError):
    pass


class FieldErrors(UserError):
    """Several fields of a form are wrong: field name → what to fix. Nothing was stored."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values())))
        self.errors = errors
