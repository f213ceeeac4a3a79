import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from omnipoint.core.cached import remember


class ApiToken(models.Model):
    """A bearer token for the REST API. Only the SHA-256 of the key is stored. A token expires,
    can be revoked (deleted), and dies with a password change: it carries the account's
    session hash (an HMAC of the password hash) from when it was issued."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    password_mark = models.CharField(max_length=128)

    def __str__(self) -> str:
        return f"token {self.name or self.pk} of {self.user}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str = "", seconds: int | None = None) -> str:  # type: ignore[no-untyped-def]
        """Create a token lasting ``seconds`` (staff tokens' lifetime unless told) and return its
        key: the only time the key is seen in clear."""
        return cls.issue_until(user, name=name, seconds=seconds)[0]

    @classmethod
    def issue_until(cls, user, name: str = "", seconds: int | None = None) -> tuple[str, datetime]:  # type: ignore[no-untyped-def]
        """``issue``, with the token's expiry."""
        key = "op_" + secrets.token_urlsafe(32)
        lifetime = settings.STAFF_TOKEN_SECONDS if seconds is None else seconds
        expires = timezone.now() + timedelta(seconds=lifetime)
        cls.objects.create(
            user=user,
            key_hash=cls.hash(key),
            name=name,
            expires_at=expires,
            password_mark=user.get_session_auth_hash(),
        )
        return key, expires

    @classmethod
    def user_for(cls, key: str):  # type: ignore[no-untyped-def]
        """The active user whose live token ``key`` is, or None (unknown, expired, revoked, or
        issued before the account's password last changed). The token's row and its user are
        kept a while (``core.cached``, area "tokens": revoking a token or saving a user forgets
        them), so that a request signed with a token does not read them each time."""
        digest = cls.hash(key)
        found = remember("tokens", digest, lambda: cls._row(digest))
        if found is None:
            return None
        user, expires_at, mark = found
        if expires_at <= timezone.now() or not user.is_active:
            return None
        if not constant_time_compare(mark, user.get_session_auth_hash()):
            return None
        return user

    @classmethod
    def _row(cls, digest: str):  # type: ignore[no-untyped-def]
        row = cls.objects.select_related("user").filter(key_hash=digest).first()
        return (row.user, row.expires_at, row.password_mark) if row else None


class IdempotencyRecord(models.Model):
    """The first answer to a write sent with an Idempotency-Key, replayed on retries."""

    client = models.CharField(max_length=64)  # hash of who sent it (token or session)
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)  # null only inside the claiming transaction
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_client_key")]


class ThrottleCounter(models.Model):
    """Attempts by one subject (a mobile number, an account, a client address: only a hash of
    it is kept) in one fixed time window. Raised only by a first insert (the unique constraint
    decides between racing ones) or by an UPDATE guarded by ``count < limit``, so concurrent
    requests never get past the limit, on any number of processes or hosts."""

    key = models.CharField(max_length=100)  # "<scope>:<sha256 of the subject>"
    window = models.BigIntegerField()  # the window's number: epoch seconds // window length
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="throttle_key_window")]


class CombineRequest(models.Model):
    """A request waiting in a combining lane for its batch's leader (``core.combining``), then
    its answer until the caller reads it. UNLOGGED on PostgreSQL: only ever in flight."""

    kind = models.CharField(max_length=16)
    lane = models.BigIntegerField()
    payload = models.JSONField()
    done = models.BooleanField(default=False)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "lane", "id"], name="combine_lane")]
