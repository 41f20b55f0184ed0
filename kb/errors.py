"""Every error the knowledge base raises on purpose, in one hierarchy; each message says what to do next."""

from __future__ import annotations

from ingest.model import BadInputError


class KbError(Exception):
    """Base of the knowledge base's own errors."""


class StoreLockedError(KbError):
    """The embedded store is open in another process."""


class StoreUnavailableError(KbError):
    """A Qdrant server that cannot be reached, or a collection there that is not ours."""


class StoreEmptyError(KbError):
    """A search or lookup on a store that holds nothing yet."""


class DocumentNotFoundError(KbError):
    """`show` asked for a document or paragraph the store does not hold."""


class ModelUnavailableError(KbError):
    """The embedding model folder is missing or unreadable."""


class FilterError(KbError, ValueError):
    """A search filter value that cannot be used (bad date, unknown field value)."""


class MatterNotFoundError(KbError):
    """A matter id that has no file in the matters folder."""


class BriefError(KbError, ValueError):
    """A brief `kb check` cannot read: missing, of an unsupported type, or damaged."""


__all__ = [
    "BadInputError",
    "BriefError",
    "DocumentNotFoundError",
    "FilterError",
    "KbError",
    "MatterNotFoundError",
    "ModelUnavailableError",
    "StoreEmptyError",
    "StoreLockedError",
    "StoreUnavailableError",
]
