"""schema.org JSON-LD documents of claims and reports (a placeholder: the real documents come
with their packaged context)."""

from typing import Any


def claims_document(items: list[dict[str, Any]], *, base_url: str) -> dict[str, Any]:
    return {"@context": {}, "@graph": []}


def reports_document(items: list[dict[str, Any]], *, base_url: str) -> dict[str, Any]:
    return {"@context": {}, "@graph": []}
