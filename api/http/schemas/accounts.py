"""Accounts, sign-in, API keys and digest preferences."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictFloat, StrictInt

from api.http.schemas.common import Strict


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: str | None = None


class AccountIn(Strict):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=10, max_length=200)
    role: Literal["firm", "advisor", "admin"]
    firm: str | None = Field(default=None, max_length=80, description="Firm key (firm users).")
    cluster: str | None = Field(default=None, max_length=200, description="Cluster (advisors).")
    email: str | None = Field(default=None, max_length=200)
    new_cluster: StrictBool = Field(
        default=False, description="An advisor's cluster no firm or bid names yet: start it (else refused as a typo)."
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"username": "mette", "password": "a long passphrase", "role": "firm", "firm": "dk-nordalu"}]
        },
    )


class AccountOut(BaseModel):
    id: int
    username: str
    role: str
    firm: str | None = None
    cluster: str | None = None
    email: str | None = None
    active: bool
    locked: bool = Field(False, description="Locked after too many failed sign-ins; an admin unlocks it")
    failed_sign_ins: int = Field(0, description="Failed sign-ins since the last successful one")
    created_at: str


class ActiveIn(Strict):
    active: StrictBool


class PasswordResetOut(AccountOut):
    temporary_password: str = Field(
        description="Shown once: hand it to the user, who signs in with it and then chooses a password of their own."
    )


class PasswordChangeIn(Strict):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class ApiKeyIn(Strict):
    label: str = Field(default="", max_length=100)


class ApiKeyCreated(BaseModel):
    id: int
    label: str
    api_key: str = Field(description="Shown once; store it now.")


class ApiKeyOut(BaseModel):
    id: int
    label: str
    prefix: str
    created_at: str


def _whole(value: Any) -> Any:
    # JSON Schema's `integer` includes 98.0, which a strict int would refuse; "98", true and 2.5 stay refused.
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = Annotated[StrictInt, BeforeValidator(_whole)]


class DigestIn(Strict):
    """Nightly digest preferences; PUT replaces all three."""

    enabled: StrictBool = Field(description="Whether the nightly digest is sent to your e-mail address.")
    min_score: StrictFloat = Field(ge=0, le=1, description="Matches scoring below this are left out.")
    max_items: WholeNumber = Field(ge=1, le=200, description="Most items listed in each section of a digest.")

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"enabled": True, "min_score": 0.5, "max_items": 10}]}
    )


class DigestOut(BaseModel):
    enabled: bool
    min_score: float
    max_items: int
