"""Every ORM table, imported together so that relationships always resolve."""

from app.models.actor import Actor, ActorRelation
from app.models.api_key import ApiKey
from app.models.audit import AuditEntry, IdempotencyRecord
from app.models.base import Base
from app.models.claim import Claim, ClaimActor, ClaimLink, ClaimLocation, ClaimQuantity
from app.models.event import Event, EventActor, EventClaim
from app.models.facet import FacetCount
from app.models.location import Location
from app.models.media import Media, MediaActor, MediaLocation
from app.models.report import Report, ReportActor, ReportLocation
from app.models.search import SearchDocument
from app.models.sync import Deletion

__all__ = [
    "Actor",
    "ActorRelation",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Claim",
    "ClaimActor",
    "ClaimLink",
    "ClaimLocation",
    "ClaimQuantity",
    "Deletion",
    "Event",
    "EventActor",
    "EventClaim",
    "FacetCount",
    "IdempotencyRecord",
    "Location",
    "Media",
    "MediaActor",
    "MediaLocation",
    "Report",
    "ReportActor",
    "ReportLocation",
    "SearchDocument",
]
