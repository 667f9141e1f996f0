"""Request and response bodies of the HTTP service, with the examples shown in the OpenAPI page,
one module per entity (`common` holds what they share).

Request bodies follow the import format, so a record exported as JSON can be sent back as is.
Deeper rules (NACE codes, countries, EEN limits, vocabulary) are checked by the same
validation as the command line and reported per field.

Routes import from the entity's module; the names are also available here.
"""

from api.http.schemas.accounts import (
    AccountIn,
    AccountOut,
    ActiveIn,
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    DigestIn,
    DigestOut,
    TokenOut,
    WholeNumber,
)
from api.http.schemas.achievements import (
    AchievementCounts,
    AchievementIn,
    AchievementOut,
    ClusterOutcomes,
    InterestOutcomes,
    OutcomesOut,
    ProposalOutcomes,
)
from api.http.schemas.audit import AuditOut
from api.http.schemas.bids import (
    BidIn,
    BidOut,
    DecisionIn,
    EditIn,
    JobOut,
    LeadIn,
    ProposalOut,
    RequirementIn,
    SolveIn,
)
from api.http.schemas.common import ErrorBody, ErrorDetail, ErrorInfo, Health, Page, Strict
from api.http.schemas.firms import CapabilityIn, FirmIn, FirmOut
from api.http.schemas.interests import InterestIn, InterestOut, NoteIn
from api.http.schemas.profiles import MatchOut, ProfileBrief, ProfileIn, ProfileOut, UploadReport
from api.http.schemas.relations import RelationIn, RelationOut

__all__ = [
    "AccountIn",
    "AccountOut",
    "AchievementCounts",
    "AchievementIn",
    "AchievementOut",
    "ActiveIn",
    "ApiKeyCreated",
    "ApiKeyIn",
    "ApiKeyOut",
    "AuditOut",
    "BidIn",
    "BidOut",
    "CapabilityIn",
    "ClusterOutcomes",
    "DecisionIn",
    "DigestIn",
    "DigestOut",
    "EditIn",
    "ErrorBody",
    "ErrorDetail",
    "ErrorInfo",
    "FirmIn",
    "FirmOut",
    "Health",
    "InterestIn",
    "InterestOut",
    "InterestOutcomes",
    "JobOut",
    "LeadIn",
    "MatchOut",
    "NoteIn",
    "OutcomesOut",
    "Page",
    "ProfileBrief",
    "ProfileIn",
    "ProfileOut",
    "ProposalOut",
    "ProposalOutcomes",
    "RelationIn",
    "RelationOut",
    "RequirementIn",
    "SolveIn",
    "Strict",
    "TokenOut",
    "UploadReport",
    "WholeNumber",
]
