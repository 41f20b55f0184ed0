"""Every error the knowledge base raises on purpose, in one hierarchy; each message says what to do next.

It lives on the domain floor (`legal/`, no I/O, importing nothing from `kb`, `ingest` or `ui`) because both the
readers (`ingest/`) and the knowledge base (`kb/`) raise these: kept in `kb/`, a loader importing one ran
`kb/__init__.py` (the torch stand-in) and made `ingest` and `kb` import each other.
"""

from __future__ import annotations

from pathlib import Path


class BadInputError(Exception):
    """A source file that cannot be turned into a document; the message says which file and why."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


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


class ConfigError(KbError, ValueError):
    """A setting (environment variable or `config.toml` key) or a manifest entry that cannot be used; the message
    names the variable or key and the valid values. A `ValueError` too, as before it had its own type."""


class SelectionError(ConfigError):
    """`--only` names no source of the manifest, or a request's numbers cannot be used."""


class UsageError(ConfigError):
    """A command-line option or argument that cannot be used (a bad date, a missing name, a bad file name)."""


class MatterError(KbError, ValueError):
    """A matter that cannot be created or read as asked (no name, an unknown ground, a damaged matter file)."""


class MatterConflictError(MatterError):
    """A matter saved from a copy read before another session changed the file: saving would undo that change."""


class CorpusNotFoundError(KbError, FileNotFoundError):
    """No corpus folder is configured, or the configured one does not exist."""


class GraphOutdatedError(KbError):
    """The citation graph was built in a form an update cannot extend; `kb citations build` rebuilds it."""


__all__ = [
    "BadInputError",
    "BriefError",
    "ConfigError",
    "CorpusNotFoundError",
    "DocumentNotFoundError",
    "FilterError",
    "GraphOutdatedError",
    "KbError",
    "MatterConflictError",
    "MatterError",
    "MatterNotFoundError",
    "ModelUnavailableError",
    "SelectionError",
    "StoreEmptyError",
    "StoreLockedError",
    "StoreUnavailableError",
    "UsageError",
]
