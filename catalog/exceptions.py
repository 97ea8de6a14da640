"""Errors the write-side services raise, each mapped to one HTTP status by the API."""


class VersionMismatch(Exception):
    """The caller's expected version (If-Match) is not the stored one: HTTP 412."""

    def __init__(self, *, current_version: int) -> None:
        super().__init__(f"The stored version is {current_version}.")
        self.current_version = current_version


class StillInUse(Exception):
    """A brand or category that products (or child categories) still use: HTTP 409."""
