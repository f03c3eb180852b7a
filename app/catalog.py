"""The catalog: every collection the API serves, listed once, in the order the API lists them.

What works across collections takes them from here, as arguments: search (each collection's
item type and title), sync (each collection's `updated_at`, with the deletion log), the
importer's facet refresh and its change stamps, and the command line's `export`. Adding a
collection is a folder of its own (`collection.py`, `router.py`, `schemas.py`, `service.py`)
and one line below."""

from app.actors.collection import ACTORS
from app.claims.collection import CLAIMS
from app.core.collection import Collection
from app.core.query.facets import FacetSet
from app.core.query.sync import DataChanges
from app.events.collection import EVENTS
from app.locations.collection import LOCATIONS
from app.media.collection import MEDIA
from app.models import Deletion
from app.reports.collection import REPORTS

COLLECTIONS: tuple[Collection, ...] = (REPORTS, ACTORS, LOCATIONS, CLAIMS, MEDIA, EVENTS)

BY_NAME: dict[str, Collection] = {collection.name: collection for collection in COLLECTIONS}
BY_ITEM_TYPE: dict[str, Collection] = {
    collection.item_type: collection for collection in COLLECTIONS
}

# The collections with facets, whose counts the importer stores.
FACET_SETS: tuple[FacetSet, ...] = tuple(
    collection.facets for collection in COLLECTIONS if collection.facets is not None
)

# Where the data's changes are written down: `Last-Modified`, the exports' ETags.
CHANGES = DataChanges(
    updated=[(collection.name, collection.model.updated_at) for collection in COLLECTIONS],
    deleted=Deletion.deleted_at,
)


# The members of the enums that take a collection (`StrEnum(name, NAMES)`): the collections'
# names, and what one item of each is called, in the catalog's order.
NAMES: list[tuple[str, str]] = [(collection.name, collection.name) for collection in COLLECTIONS]
ITEM_TYPES: list[tuple[str, str]] = [
    (collection.item_type, collection.item_type) for collection in COLLECTIONS
]
