"""One measured speed-up of FastAPI's request parsing, applied when the app is created.

For every query-parameter model field on every request, FastAPI asks whether the field's
annotation is a sequence (`field_annotation_is_sequence`), walking `typing` origins each
time: 7% of the CPU a claims page costs under load (py-spy, 1M claims, 64 connections). The
answer depends on the annotation alone, so it is memoised here. If FastAPI moves the function,
nothing is patched and nothing breaks: requests are parsed as before, only slower.
"""

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import fastapi.dependencies.utils as dependency_utils

_ORIGINAL: Callable[[Any], bool] | None = getattr(
    dependency_utils, "field_annotation_is_sequence", None
)


def _memoised(original: Callable[[Any], bool]) -> Callable[[Any], bool]:
    cached = lru_cache(maxsize=1024)(original)

    def field_annotation_is_sequence(annotation: Any) -> bool:
        try:
            return cached(annotation)
        except TypeError:  # an unhashable annotation: ask FastAPI itself
            return original(annotation)

    return field_annotation_is_sequence


def install() -> None:
    if _ORIGINAL is not None and callable(_ORIGINAL):
        vars(dependency_utils)["field_annotation_is_sequence"] = _memoised(_ORIGINAL)
