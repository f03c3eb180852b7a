"""Reading, validating and loading report bundles: used by the CLI and, later, over HTTP."""

from app.importer.load import ImportSummary, import_paths, prepare, table_counts
from app.importer.validate import ImportFailed, ImportIssue

__all__ = [
    "ImportFailed",
    "ImportIssue",
    "ImportSummary",
    "import_paths",
    "prepare",
    "table_counts",
]
