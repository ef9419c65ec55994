"""The tables, as SQLAlchemy Core metadata. Portable SQL only: the same code runs on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
    true,
)

from bascule.store.types import UtcDateTime

metadata = MetaData()

# One row per staged campaign: the validated snapshot of one import, kept as history. The newest
# row of a UAI is the campaign the plan (issue "rollover core") will read.
staged_snapshot = Table(
    "staged_snapshot",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uai", String(8), nullable=False, index=True),
    Column("school_year", Integer, nullable=False),
    Column("export_date", Date, nullable=True),
    Column("staged_at", UtcDateTime(), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("sources", Text, nullable=False),  # JSON: file names, kinds and hashes
    Column("snapshot", LargeBinary, nullable=False),  # the Snapshot value (store/codec.py)
    Column("problems", Text, nullable=True),  # JSON of its warnings, shown again on re-import
    # JSON {subject code: label}: the directory targets name their subject groups with it.
    Column("subject_labels", Text, nullable=True),
    # What the import kept for the next one (store/kept.py): its files' records, its build's
    # parts; never needed, only saves work (NULL: the next import reads everything).
    Column("kept", LargeBinary, nullable=True),
    # What its build took again from the previous staged campaign's (snapshot/memo.py Chain,
    # JSON); never needed, only saves the plan work (NULL: every digest computed).
    Column("chain", LargeBinary, nullable=True),
    UniqueConstraint("uai", "content_sha256", name="uq_staged_snapshot_content"),
)

# People of one school's directory, with every id the sources give them.
person = Table(
    "person",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uai", String(8), nullable=False),
    Column("key", String(80), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("profile", String(24), nullable=False),
    Column("last_name", String(200), nullable=False),
    Column("birth_name", String(200), nullable=True),
    Column("first_name", String(200), nullable=False),
    Column("birth_date", Date, nullable=True),
    Column("email", String(320), nullable=True),
    Column("function", String(8), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("exit_date", Date, nullable=True),  # an élève's DATE_SORTIE still to come
    UniqueConstraint("uai", "key", name="uq_person_key"),
    # The folder's namesakes of an élève with no INE (store/state.py `_namesakes`). Partial: the
    # responsables, who have no birth date, cost no upkeep; a query comparing birth_date with =
    # or IN implies the condition (both databases then use the index).
    Index("ix_person_birth_date", "birth_date", sqlite_where=text("birth_date IS NOT NULL"),
          postgresql_where=text("birth_date IS NOT NULL")),
)

person_source_id = Table(
    "person_source_id",
    metadata,
    # Looked up by person_id through the unique key's first column (no index of its own).
    Column("person_id", Integer, ForeignKey("person.id"), nullable=False),
    Column("scheme", String(16), nullable=False),
    Column("value", String(64), nullable=False),
    UniqueConstraint("person_id", "scheme", "value", name="uq_person_source_id"),
    Index("ix_person_source_id_value", "scheme", "value"),
)

# One account per person; the password only as an argon2id hash.
account = Table(
    "account",
    metadata,
    Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("status_since", UtcDateTime(), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # "initial" until a reset: a re-print of the initial slips only concerns those.
    Column("password_origin", String(16), nullable=False, server_default="initial"),
)

# Every login ever issued, per namespace: held (freed_at null) or freed since a date.
login = Table(
    "login",
    metadata,
    Column("uai", String(8), nullable=False),
    Column("namespace", String(8), nullable=False),
    Column("login", String(20), nullable=False),
    Column("person_id", Integer, ForeignKey("person.id"), nullable=False, index=True),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("freed_at", UtcDateTime(), nullable=True),
    UniqueConstraint("uai", "namespace", "login", name="uq_login"),
)

# Structures, memberships, services, PP and guardianships, per school year: history is kept.
fact = Table(
    "fact",
    metadata,
    Column("uai", String(8), nullable=False),
    Column("school_year", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("subject", String(120), nullable=False),
    Column("target", String(120), nullable=False),
    Column("detail", Text, nullable=False),
    # A school's facts of a year (and kind) are looked up through the unique key's start.
    UniqueConstraint("uai", "school_year", "kind", "subject", "target", "detail",
                     name="uq_fact"),
)

# Every applied action: who, when, what. Never a password.
journal = Table(
    "journal",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("uai", String(8), nullable=False),
    Column("action", String(32), nullable=False),  # every one of labels.JOURNAL_ACTIONS
    Column("subject", String(120), nullable=False),
    Column("detail", Text, nullable=False),
    # One action's entries since a moment (the direction's notices at each dashboard, the
    # Journal's filter) without reading the whole journal of a département.
    Index("ix_journal_action_at", "uai", "action", "at"),
    # A school's journal newest first (ORDER BY id DESC LIMIT n): no sort of all its entries.
    Index("ix_journal_uai_id", "uai", "id"),
)

# The directory's version per school, bumped by every apply: a saved plan records it.
directory_version = Table(
    "directory_version",
    metadata,
    Column("uai", String(8), primary_key=True),
    Column("version", Integer, nullable=False),
    # Set by an apply: the fingerprint at which the directory holds exactly the staged campaign.
    Column("in_sync_fingerprint", String(120), nullable=True),
)

# What a saved plan settled (plan/proportional.py's Basis), kept with it; once the plan is
# applied, `applied_version` is the school's directory version it left: the next plan uses the
# basis only while the directory is still at that version.
plan_basis = Table(
    "plan_basis",
    metadata,
    Column("uai", String(8), primary_key=True),
    Column("plan_sha256", String(64), primary_key=True),
    Column("applied_version", Integer, nullable=True),
    Column("context", String(64), nullable=False),
    Column("people", LargeBinary, nullable=False),  # {ref: [digest, key]}, JSON
    # The staged campaign it was planned on (its content hash) and the ELEVE_IDs present then
    # (JSON list): what the next plan's digests chain to (plan/proportional.py Basis).
    Column("staged", String(64), nullable=True),
    Column("present", LargeBinary, nullable=True),
)

saved_plan = Table(
    "saved_plan",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uai", String(8), nullable=False, index=True),
    Column("computed_at", UtcDateTime(), nullable=False),  # the moment it was computed for
    Column("state_fingerprint", String(120), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("plan", LargeBinary, nullable=False),  # the Plan value (store/codec.py)
    Column("applied_at", UtcDateTime(), nullable=True),
    # Who approved this very plan (its hash), and when: a principal, or the operator.
    Column("approved_by", String(120), nullable=True),
    Column("approved_at", UtcDateTime(), nullable=True),
    # The machine's clock when it was computed (NULL before 0026): another day than
    # computed_at's is a rehearsal's plan (`--at`), applied on its own day only.
    Column("saved_at", UtcDateTime(), nullable=True),
    # The directory version of each other school of the folder when the plan read their
    # EduConnect ids (JSON [[uai, version], …]; NULL before 0030 and for plans of no campaign):
    # its apply looks its ids up in their logins only if one of them applied since.
    Column("folder_versions", Text, nullable=True),
    # How many actions the plan has (NULL before 0031): an empty one awaits no approval.
    Column("actions", Integer, nullable=True),
)

# Named permissions the direction grants to staff; a revoked one keeps its row, for the audit.
DROPPED_AT_ROLLOVER = "bascule (départ)"
delegation = Table(
    "delegation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uai", String(8), nullable=False),
    Column("person_id", Integer, ForeignKey("person.id"), nullable=False, index=True),
    Column("name", String(80), nullable=False),
    Column("granted_by", String(120), nullable=False),
    Column("granted_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Column("revoked_by", String(120), nullable=True),  # a login, or DROPPED_AT_ROLLOVER
    Index("ix_delegation_uai_name", "uai", "name"),
)

# The direction's early reopenings (and re-closings) of the ENT during the rentrée closure.
closure_override = Table(
    "closure_override",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uai", String(8), nullable=False, index=True),
    Column("profile", String(24), nullable=False),
    Column("open", Boolean, nullable=False),
    Column("by", String(120), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)

# A password still to be set on the school's directory targets (pedagogical server): sealed with
# the home's key (never in clear), kept only until every target of the school has it.
pending_password = Table(
    "pending_password",
    metadata,
    Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
    Column("sealed", Text, nullable=False),
    Column("sealed_at", UtcDateTime(), nullable=False),
    # False for a password its owner chose: the directory must not ask to change it again.
    Column("must_change", Boolean, nullable=False, server_default=true()),
)

# Which sealed password (by its date) each target has received.
password_delivery = Table(
    "password_delivery",
    metadata,
    Column("target", String(64), primary_key=True),
    Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
    Column("sealed_at", UtcDateTime(), nullable=False),
)

# POSIX numbers (uidNumber, gidNumber) of a school's accounts and groups: given once, never
# given to anyone else, even after a deletion.
posix_number = Table(
    "posix_number",
    metadata,
    Column("uai", String(8), nullable=False),
    Column("owner", String(120), nullable=False),  # a person key, or "group:<name>"
    Column("number", Integer, nullable=False),
    UniqueConstraint("uai", "owner", name="uq_posix_owner"),
    UniqueConstraint("uai", "number", name="uq_posix_number"),
)

# The opaque id of a person in the feeds (GAR's GARPersonIdentifiant): random, given once, kept
# across school years so that licence assignments survive the rollover; never the INE.
feed_id = Table(
    "feed_id",
    metadata,
    Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
    Column("value", String(64), nullable=False, unique=True),
)

# Tokens of the console's API, created by an operator for a person of the school: the API acts
# as that person (the policy decides), within the token's scopes. Only a hash is kept.
api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uai", String(8), nullable=False),
    Column("name", String(80), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("person_id", Integer, ForeignKey("person.id"), nullable=False),
    Column("scopes", Text, nullable=False),  # JSON list
    Column("created_by", String(120), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    UniqueConstraint("uai", "name", name="uq_api_token_name"),
)

# The AAF records a school is fed from: its last Complet delivery with the Deltas applied since
# (JSON of snapshot.aaf_deliveries.AafState). The next Delta applies on top of it; a Complet
# replaces it. One row per school, written with the campaign it gave.
aaf_state = Table(
    "aaf_state",
    metadata,
    Column("uai", String(8), primary_key=True),
    Column("complete_date", Date, nullable=False),
    Column("last_date", Date, nullable=False),
    Column("state", Text, nullable=False),
)

# The console's sessions, server-side: the cookie holds a random id whose SHA-256 is kept here,
# so that signing out, a password changed or reset, or "end every session" ends them at once.
web_session = Table(
    "web_session",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uai", String(8), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("person_id", Integer, ForeignKey("person.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),  # the forms' token, of this session only
    Column("opened_at", UtcDateTime(), nullable=False),
    # When this person's previous session opened: what happened since is shown once (notices).
    Column("previous_opened_at", UtcDateTime(), nullable=True),
    Column("ended_at", UtcDateTime(), nullable=True),
    Column("end_reason", String(40), nullable=True),
)

# The review queue: people of an export held until someone says who they are (correlation
# cases). One row per school and person of the export; the decision is remembered across
# imports, with who took it; `before` keeps what a "same person" decision changes, so that it can
# be reversed exactly.
review_case = Table(
    "review_case",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uai", String(8), nullable=False),
    Column("person", String(80), nullable=False),  # the snapshot ref: "eleve:151002"
    Column("label", String(400), nullable=False),
    Column("status", String(16), nullable=False),  # open, resolved, closed
    Column("review", Text, nullable=False),  # JSON of the plan's ReviewCase (evidence)
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("choice", String(16), nullable=True),  # same, different, not_yet
    Column("candidates", Text, nullable=True),  # JSON list of the directory keys decided on
    Column("decided_by", String(120), nullable=True),
    Column("decided_at", UtcDateTime(), nullable=True),
    Column("before", Text, nullable=True),  # JSON: the followed account as it was
    UniqueConstraint("uai", "person", name="uq_review_case"),
)

# The deletion breaker's reference (plan/safety.py): the most active accounts of each profile
# seen since the school year's first apply or the last confirmed mass departure.
breaker_mark = Table(
    "breaker_mark",
    metadata,
    Column("uai", String(8), primary_key=True),
    Column("school_year", Integer, primary_key=True),
    Column("profile", String(24), primary_key=True),
    Column("active", Integer, nullable=False),
)

# Every mail bascule writes (nightly digest, held plan, deletion notices, test): recorded before
# it is sent, then marked sent or failed with the reason. A failure stays until a digest reports
# it (reported_at). `dedup_key` names what a mail is about and when: one sent under the same key
# is not sent again (a staff notice once per person and date, a reminder once a night). Never a
# body: the mails hold no secret, but the outbox need not keep people's words either.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("uai", String(8), nullable=True),
    Column("topic", String(200), nullable=True, index=True),
    Column("dedup_key", String(200), nullable=True, unique=True),
    Column("recipients", Text, nullable=False),  # comma-separated addresses
    Column("subject", String(400), nullable=False),
    Column("status", String(8), nullable=False),  # pending, sent, failed
    Column("attempts", Integer, nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    Column("failure", Text, nullable=True),
    Column("reported_at", UtcDateTime(), nullable=True),
)

# The nightly run's progress (operations/night): per school and step, the input it last
# finished with (a hash of the exports, the directory's fingerprint…). A step whose input did
# not change costs nothing; a run after a crash does again only what was not finished.
night_step = Table(
    "night_step",
    metadata,
    Column("uai", String(8), primary_key=True),
    Column("step", String(16), primary_key=True),
    Column("signature", Text, nullable=False),
    Column("done_at", UtcDateTime(), nullable=False),
)

# A school's plan held by a night (thresholds exceeded, empty export): nothing of that school
# changes until a person approves that very plan (saved_plan's approval, by its hash).
night_hold = Table(
    "night_hold",
    metadata,
    Column("uai", String(8), primary_key=True),
    Column("plan_sha256", String(64), nullable=False),
    Column("reasons", Text, nullable=False),  # JSON list of French sentences
    Column("held_at", UtcDateTime(), nullable=False),
)

# Every applied plan, for `history` and `undo`: who applied it, when, its counts per action,
# the store's backup taken just before it, and the apply it undoes (an undo is an apply too).
applied_plan = Table(
    "applied_plan",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uai", String(8), nullable=False, index=True),
    Column("saved_plan_id", Integer, nullable=True),
    Column("applied_at", UtcDateTime(), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("purpose", String(16), nullable=False),  # campaign, lifecycle, undo
    Column("counts", Text, nullable=False),  # JSON {action kind: count}
    Column("backup", String(120), nullable=True),  # the backup's id, if one was taken
    Column("undoes", Integer, nullable=True),  # an undo: the apply it undid
)

# What an apply changed, read inside the apply's transaction: one row of the store per line,
# `before` and `after` JSON of the fields that differ (all of them for a row that appeared or
# disappeared: null then on the other side), `row_key` JSON of the row's identity in its table;
# except the rows of the people the apply created, all on one line of `table_name`
# "created_people" (before: one line "created" a person; store/changes.py; `changes_of` gives
# them back one row each). Password hashes are kept only
# where a row disappears (an undone deletion gets its hash back).
applied_change = Table(
    "applied_change",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("apply_id", Integer, ForeignKey("applied_plan.id"), nullable=False, index=True),
    Column("table_name", String(32), nullable=False),
    Column("row_key", Text, nullable=False),
    Column("person_key", String(120), nullable=True),  # whose row it is, when a person's
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
)

# Holds put on a person by hand (plan/model.py PersonHold): the plan leaves them as they are
# through `until`. Removing one keeps its row (who, when), as the journal does.
person_hold = Table(
    "person_hold",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uai", String(8), nullable=False, index=True),
    Column("person", String(80), nullable=False),  # directory key, or a campaign ref
    Column("label", String(400), nullable=False),
    Column("reason", Text, nullable=False),
    Column("until", Date, nullable=False),  # the last day held
    Column("origin", String(16), nullable=False),  # manual, excluded
    Column("created_by", String(120), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("removed_by", String(120), nullable=True),
    Column("removed_at", UtcDateTime(), nullable=True),
)

# A night handed to the workers (PostgreSQL store, operations/night/queue.py): the moment it
# acts for, whether `bascule run` waits for it (else the last school's worker writes its
# report), when it started and when its report was written (null: schools still at work).
night_run = Table(
    "night_run",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("waited", Boolean, nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime(), nullable=True),
)

# One school of a night handed to the workers: its state (waiting, running, retry, done,
# failed), the worker working it (host:pid), its attempts, why in French, the steps recorded so
# far (JSON, kept across attempts: a retry's report keeps what an earlier attempt did) and, once
# done, its night (JSON of reports/night.py SchoolNight).
night_job = Table(
    "night_job",
    metadata,
    Column("run_id", String(36), ForeignKey("night_run.id"), primary_key=True),
    Column("uai", String(8), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("worker", String(120), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("steps", Text, nullable=False),
    Column("result", Text, nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# The département's IT team (the memo's operators): not people of a school, so not in `person`.
# They sign in to the console with a password they chose (argon2id at OWASP's cost,
# store/hashing.py); `active` false once removed (kept: the journal names them).
operator = Table(
    "operator",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(32), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_sign_in_at", UtcDateTime(), nullable=True),
)

# An operator's console sessions, kept server-side like web_session (the cookie holds a random
# id, the store its SHA-256), with the school the operator is looking at (chosen on the page
# Établissement among the folder's schools).
operator_session = Table(
    "operator_session",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("operator_id", Integer, ForeignKey("operator.id"), nullable=False, index=True),
    Column("uai", String(8), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime(), nullable=True),
    Column("end_reason", String(40), nullable=True),
)
