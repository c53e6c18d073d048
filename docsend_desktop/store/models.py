"""The Peewee models. They hold plain data only (no Qt, no services); rules live in the domain layer.

All models bind to ``db``, a ``DatabaseProxy`` initialised once by ``store.database.open_database``.
"""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    Check,
    DatabaseProxy,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from .fields import JSONField, UTCDateTimeField

db = DatabaseProxy()

NAME_MAX = 200
ACCOUNT_NAME_MAX = 255
EMAIL_MAX = 254


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class SchemaVersion(BaseModel):
    """One row: the schema version this database has been migrated to."""

    version = IntegerField()


class Setting(BaseModel):
    key = CharField(max_length=200, primary_key=True)
    value = TextField()


class Document(BaseModel):
    name = CharField(max_length=NAME_MAX)
    stored_path = CharField(max_length=500)  # relative to the data dir, never derived from user input
    sha256 = CharField(max_length=64, unique=True)
    page_count = IntegerField()
    size_bytes = IntegerField()
    created_at = UTCDateTimeField()


class Space(BaseModel):
    name = CharField(max_length=NAME_MAX)
    created_at = UTCDateTimeField()


class SpaceDocument(BaseModel):
    space = ForeignKeyField(Space, backref="entries", on_delete="CASCADE")
    document = ForeignKeyField(Document, backref="space_entries", on_delete="RESTRICT")
    position = IntegerField()

    class Meta:
        indexes = ((("space", "document"), True), (("space", "position"), True))


class Link(BaseModel):
    slug = CharField(max_length=64, unique=True)
    document = ForeignKeyField(Document, null=True, backref="links", on_delete="RESTRICT")
    space = ForeignKeyField(Space, null=True, backref="links", on_delete="RESTRICT")
    name = CharField(max_length=NAME_MAX)
    account_name = CharField(max_length=ACCOUNT_NAME_MAX, default="")
    require_email = BooleanField(default=False)
    passcode_hash = CharField(max_length=300, null=True)
    expires_at = UTCDateTimeField(null=True)
    allow_download = BooleanField(default=False)
    disabled = BooleanField(default=False)
    created_at = UTCDateTimeField()

    class Meta:
        constraints = [Check("(document_id IS NULL) <> (space_id IS NULL)")]


class Visitor(BaseModel):
    email = CharField(max_length=EMAIL_MAX, unique=True)  # normalised: stripped, lower-case
    name = CharField(max_length=NAME_MAX, default="")
    first_seen_at = UTCDateTimeField()
    last_seen_at = UTCDateTimeField()


class Visit(BaseModel):
    """One visitor's activity on one document of one link, by the 10-minute rule."""

    link = ForeignKeyField(Link, backref="visits", on_delete="RESTRICT")
    document = ForeignKeyField(Document, backref="visits", on_delete="RESTRICT")
    visitor = ForeignKeyField(Visitor, null=True, backref="visits", on_delete="RESTRICT")
    viewer_id = CharField(max_length=64, null=True)  # anonymous viewer (no email asked)
    started_at = UTCDateTimeField()
    last_activity_at = UTCDateTimeField()
    ended_at = UTCDateTimeField(null=True)
    visible_seconds = FloatField(default=0)
    pages_seen = JSONField(default=list)  # sorted distinct page numbers
    seconds_per_page = JSONField(default=dict)  # {"1": 12.5, ...}
    page_count = IntegerField()  # of the document when the visit began
    percent_viewed = FloatField(default=0)
    event_count = IntegerField(default=0)
    downloaded = BooleanField(default=False)
    source = CharField(max_length=16, default="viewer")  # viewer | import
    import_key = CharField(max_length=128, null=True, unique=True)

    class Meta:
        indexes = ((("link", "document", "visitor", "last_activity_at"), False),
                   (("link", "document", "viewer_id", "last_activity_at"), False),
                   (("ended_at",), False))
        constraints = [Check("(visitor_id IS NULL) <> (viewer_id IS NULL)")]


class OutboxItem(BaseModel):
    """One row per thing to sync (a visit, a document link, a Space link); survives crashes.

    ``revision`` counts changes to the activity; the engine records which revision it synced,
    so a change that lands while a sync is in flight is never lost.
    """

    kind = CharField(max_length=16)  # visit | document_link | space_link
    subject_id = IntegerField()  # Visit.id or Link.id
    sync_key = CharField(max_length=64, unique=True)  # stable across retries, used for upsert/adoption
    state = CharField(max_length=16, default="pending")  # pending|syncing|synced|needs_attention|skipped
    due_at = UTCDateTimeField(null=True)
    attempts = IntegerField(default=0)
    last_error = TextField(null=True)
    reason_code = CharField(max_length=32, null=True)  # why skipped/parked: switched_off, no_match, record_error...
    salesforce_id = CharField(max_length=18, null=True)
    # Set just before a create is sent and cleared once its outcome is known: a row holding it and no
    # salesforce_id may have created a Task already, so the engine looks for it before sending again.
    sent_at = UTCDateTimeField(null=True)
    revision = IntegerField(default=1)
    synced_revision = IntegerField(default=0)
    sync_count = IntegerField(default=0)
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()
    last_synced_at = UTCDateTimeField(null=True)

    class Meta:
        indexes = ((("kind", "subject_id"), True), (("state", "due_at"), False))


ALL_MODELS = [SchemaVersion, Setting, Document, Space, SpaceDocument, Link, Visitor, Visit, OutboxItem]
OUTBOX_STATES = ("pending", "syncing", "synced", "needs_attention", "skipped")
OUTBOX_KINDS = ("visit", "document_link", "space_link")
