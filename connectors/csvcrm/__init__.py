"""The CSV CRM: a folder of Salesforce-style CSV exports (the embedded default)."""

from connectors.csvcrm._file import folder_lock
from connectors.csvcrm._sample import BUNDLED_EXAMPLES, BUNDLED_SAMPLE
from connectors.csvcrm._types import PARSERS, CellError, Kind, known_kind
from connectors.csvcrm.connector import CrmUnreadable, CsvCrm

__all__ = [
    "BUNDLED_EXAMPLES",
    "BUNDLED_SAMPLE",
    "PARSERS",
    "CellError",
    "CrmUnreadable",
    "CsvCrm",
    "Kind",
    "folder_lock",
    "known_kind",
]
