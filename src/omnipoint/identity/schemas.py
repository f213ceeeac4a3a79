from datetime import datetime

from ninja import Field, Schema

from omnipoint.core.api import Id, Input


class VerificationIn(Input):
    member_id: Id
    name: str = Field(max_length=200)
    number: str = Field(max_length=40, description="The resident identity number, typed from the document")
    document_matches: bool = Field(description="The clerk confirms that the document matches the person")
    outlet_id: Id | None = Field(None, description="Where it is done; the clerk's own outlet when not given")


class VerificationOut(Schema):
    id: int
    member_id: int
    name: str
    number_masked: str
    outlet_id: int
    verified_at: datetime
    revoked_at: datetime | None
    revoke_reason: str


class VerificationRevokeIn(Input):
    reason: str = Field(max_length=20, description="document_doubtful, wrong_person, member_asked or other")


class ConsentIn(Input):
    partner: str = Field(max_length=40, description="The partner's code")


class ConsentOut(Schema):
    partner: str
    partner_name: str
    granted_at: datetime | None


class MyIdentityOut(Schema):
    verified: bool
    verified_at: datetime | None
    outlet_name: str
    consents: list[ConsentOut]


class LookupIn(Input):
    mobile: str = Field(max_length=20)
    name: str = Field(
        "", max_length=200, description="When given, the answer says whether it is the verified name"
    )


class LookupOut(Schema):
    answer: str = Field(description="verified, not_verified, or no_consent (also for an unknown mobile)")
    verified_at: datetime | None
    name_matches: bool | None


class PartnerIn(Input):
    name: str = Field(max_length=80)


class PartnerOut(Schema):
    code: str
    name: str
    token: str = Field(description="The partner's API token: shown this once, kept only as a hash")
