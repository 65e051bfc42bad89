"""The relational schema (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Times are epoch milliseconds in BIGINT columns: one representation on both engines, cheap to
compare and index, converted to ISO 8601 only at the doors. A message's price is Numeric with 6
decimals; balances, the ledger and price lists count millionths in integers.
Migrations under store/migrations mirror this file; a test checks they agree.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

# 64-bit serial on PostgreSQL; SQLite autoincrements only an INTEGER PRIMARY KEY (its rowid).
_SERIAL = BigInteger().with_variant(Integer, "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("default_region", String(2)),
    Column("max_parts", SmallInteger, nullable=False, server_default=text("10")),
    # Test-mode accounts validate fully and answer as usual but never send (the seeds' demo/demo).
    Column("test_mode", Boolean, nullable=False, server_default=text("false")),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", BigInteger, nullable=False),
    # Signs the per-send callbacks (endpoints have secrets of their own); made on first use.
    Column("callback_secret", String(80)),
    # Billing: no price list, no charge. charge_on is domain.pricing.ChargeOn.
    Column("price_list_id", Integer, ForeignKey("price_lists.id")),
    Column("charge_on", String(8), nullable=False, server_default=text("'submit'")),
    # Senders: domain.sender.SenderPolicy, and the sender of requests that name none.
    Column("sender_policy", String(10), nullable=False, server_default=text("'open'")),
    Column("default_sender", String(16)),
    # A sub-account's owner, which sees its traffic and moves funds to and from it.
    Column("parent_id", Integer, ForeignKey("accounts.id"), index=True),
    # IANA zone of its campaigns' recipients without one, and of quiet hours given without one.
    Column("timezone", String(64), nullable=False, server_default=text("'UTC'")),
)

# Sender names an account asked for, and the operator's decision (domain.sender.SenderState).
senders = Table(
    "senders",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("name", String(16), primary_key=True),
    Column("state", String(10), nullable=False),
    Column("reason", String(255)),  # why it was rejected
    Column("created_at", BigInteger, nullable=False),
    Column("decided_at", BigInteger),
)

price_lists = Table(
    "price_lists",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("currency", String(3), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# Amounts of money in these tables are integers of millionths (store/billing.py converts):
# exact sums and comparisons on every engine (SQLite's NUMERIC is a float).

# Price per part by destination prefix (E.164 digits; '' prices every other destination).
prices = Table(
    "prices",
    metadata,
    Column("price_list_id", Integer, ForeignKey("price_lists.id"), primary_key=True),
    Column("prefix", String(15), primary_key=True),
    Column("price", BigInteger, nullable=False),
)

# The numbering plan: which mobile network (MCC/MNC) each number range was given to, for
# prices by network (domain.networks). Replaced as a whole by the operator.
networks = Table(
    "networks",
    metadata,
    Column("prefix", String(15), primary_key=True),
    Column("mcc", String(3), nullable=False),
    Column("mnc", String(3), nullable=False),
    Column("name", String(64), nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# The running sum of an account's ledger, kept in the same transactions as the entries: the
# row a send locks (PostgreSQL) and checks in one conditional UPDATE, so parallel sends cannot
# overdraw. balance may go down to -credit_limit.
balances = Table(
    "balances",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("currency", String(3)),
    Column("balance", BigInteger, nullable=False, server_default=text("0")),
    Column("credit_limit", BigInteger, nullable=False, server_default=text("0")),
    Column("updated_at", BigInteger, nullable=False),
)

# Every movement of money: top-ups and adjustments by the operator, a charge per send request,
# a refund per message given back.
ledger = Table(
    "ledger",
    metadata,
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("kind", String(10), nullable=False),  # topup, adjustment, charge, refund
    Column("amount", BigInteger, nullable=False),  # signed: what it did to the balance
    Column("messages", Integer, nullable=False, server_default=text("0")),
    Column("message_id", BigInteger),  # the first (or only) message it concerns
    Column("reason", String(255)),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_ledger_account_id_id", "account_id", "id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False, index=True),
    # PBKDF2-SHA256: "pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>"
    Column("secret_hash", String(200), nullable=False),
    Column("label", String(100)),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger),
)

# One row per send request that carried an Idempotency-Key: the replayed answer lives here.
send_requests = Table(
    "send_requests",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("response", LargeBinary, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("account_id", "idempotency_key"),
)

# One row per recipient. Status columns `<status>_at` keep the time each status was reached.
messages = Table(
    "messages",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("request_id", BigInteger),  # send_requests.id when an Idempotency-Key was given
    Column("recipient", String(20), nullable=False),
    Column("sender", String(20)),
    Column("text", Text, nullable=False),
    Column("encoding", String(8), nullable=False),
    Column("parts", SmallInteger, nullable=False),
    Column("price", Numeric(18, 6)),
    Column("client_ref", String(42)),
    # Dispatch lane: lower goes first (0 = urgent, 1 = normal); ascending keeps the index simple.
    Column("lane", SmallInteger, nullable=False, server_default=text("1")),
    Column("status", String(12), nullable=False),
    Column("send_at", BigInteger),  # when a scheduled message becomes due
    Column("expires_at", BigInteger),  # end of the validity period
    Column("connector", String(64)),
    Column("upstream_id", String(64)),  # first part's id at the upstream (the rest: message_parts)
    Column("error_code", String(32)),  # normalised (domain/delivery_errors.py)
    Column("error_raw", String(64)),  # as the upstream gave it
    Column("error_detail", String(255)),
    # Per-send callback URLs (the seeds' dlr_callback / reply_callback).
    Column("status_callback", String(2048)),
    Column("reply_callback", String(2048)),
    Column("campaign_id", BigInteger),  # the campaign it is part of (campaigns.id)
    Column("attempts", SmallInteger, nullable=False, server_default=text("0")),
    # Connectors that refused it for good before it was routed to `connector` (comma-joined).
    Column("tried", String(255)),
    # Dispatcher lease: which node holds the message between claim and the submit response.
    Column("claimed_by", String(40)),
    Column("claim_until", BigInteger),
    Column("accepted_at", BigInteger, nullable=False),
    Column("scheduled_at", BigInteger),
    Column("queued_at", BigInteger),
    Column("sent_at", BigInteger),
    Column("delivered_at", BigInteger),
    Column("undelivered_at", BigInteger),
    Column("expired_at", BigInteger),
    Column("rejected_at", BigInteger),
    Column("failed_at", BigInteger),
    Column("canceled_at", BigInteger),
    Column("updated_at", BigInteger, nullable=False),
    Index("ix_messages_account_id_id", "account_id", "id"),
    Index(
        "ix_messages_campaign_id_status",
        "campaign_id",
        "status",
        sqlite_where=text("campaign_id IS NOT NULL"),
        postgresql_where=text("campaign_id IS NOT NULL"),
    ),
    # Serves an account's history of one number and, across accounts, the search for the
    # message an inbound reply answers (newest first).
    Index("ix_messages_recipient_id", "recipient", "id"),
    Index(
        "ix_messages_account_id_client_ref",
        "account_id",
        "client_ref",
        sqlite_where=text("client_ref IS NOT NULL"),
        postgresql_where=text("client_ref IS NOT NULL"),
    ),
    # The dispatch queue is the table itself; these partial indexes keep claims cheap however
    # much history accumulates.
    Index(
        "ix_messages_queue",
        "connector",
        "lane",
        "id",
        sqlite_where=text("status = 'queued'"),
        postgresql_where=text("status = 'queued'"),
    ),
    Index(
        "ix_messages_expiry",
        "expires_at",
        sqlite_where=text("status IN ('queued', 'sent')"),
        postgresql_where=text("status IN ('queued', 'sent')"),
    ),
    Index(
        "ix_messages_due",
        "send_at",
        sqlite_where=text("status = 'scheduled'"),
        postgresql_where=text("status = 'scheduled'"),
    ),
)

# Each part of a message as the upstream knows it: reports are matched by (connector, upstream_id).
message_parts = Table(
    "message_parts",
    metadata,
    Column("message_id", BigInteger, primary_key=True),
    Column("part_no", SmallInteger, primary_key=True),
    Column("connector", String(64), nullable=False),
    Column("upstream_id", String(64), nullable=False),
    Column("status", String(12), nullable=False),
    Column("error_code", String(32)),
    Column("error_raw", String(64)),
    Column("updated_at", BigInteger, nullable=False),
    Index("ix_message_parts_upstream", "connector", "upstream_id"),
)

# Reports whose upstream id is not known yet: a report can overtake the submit response that
# carries the id. Parked here (not in memory, so a crash loses none) and applied once it is known.
early_reports = Table(
    "early_reports",
    metadata,
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("connector", String(64), nullable=False),
    Column("upstream_id", String(64), nullable=False),
    Column("status", String(12), nullable=False),
    Column("error_code", String(32)),
    Column("error_raw", String(64)),
    Column("at_ms", BigInteger, nullable=False),
    Index("ix_early_reports_upstream", "connector", "upstream_id"),
)

# Status events written in the same transaction as the change they describe; webhooks and
# other consumers read them from here, so a crash between change and delivery loses nothing.
outbox = Table(
    "outbox",
    metadata,
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("account_id", Integer, nullable=False),
    Column("message_id", BigInteger),
    Column("event", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    # The per-send callback this event also goes to (status_callback or reply_callback).
    Column("callback_url", String(2048)),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_outbox_account_id_id", "account_id", "id"),
)

# Where a consumer of the outbox got to (the webhook fan-out), so a restart resumes there.
cursors = Table(
    "cursors",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# An account's own limits (domain.limits.LimitOverrides); a NULL keeps the server's.
account_limits = Table(
    "account_limits",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("rate_per_s", Integer),
    Column("concurrent", Integer),
    Column("duplicate_window_s", Integer),
    Column("subscriber_max", Integer),
    Column("subscriber_window_s", Integer),
    Column("quiet_hours", String(11)),  # HH:MM-HH:MM
    Column("quiet_zone", String(64)),
    Column("updated_at", BigInteger, nullable=False),
)

# Routing rules in order of priority (domain.routing.Rule; what a rule matches and chooses is
# kept as JSON: it is read whole, never queried by part).
routes = Table(
    "routes",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("priority", Integer, nullable=False),
    Column("spec", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# What sending through a connector costs, as a price list: least-cost routing compares these.
connector_costs = Table(
    "connector_costs",
    metadata,
    Column("connector", String(64), primary_key=True),
    Column("price_list_id", Integer, ForeignKey("price_lists.id"), nullable=False),
)

# The gateway's numbers: owned by one account (inbound messages to them are its), or in a
# pool numbers are lent from to messages sent without a sender.
numbers = Table(
    "numbers",
    metadata,
    Column("number", String(20), primary_key=True),
    # domain.sender.NumberKind; a dedicated number has an account, a pool number none.
    Column("kind", String(10), nullable=False, server_default=text("'dedicated'")),
    Column("account_id", Integer, ForeignKey("accounts.id"), index=True),
    Column("created_at", BigInteger, nullable=False),
)

# Received messages (MO), reassembled. account_id is NULL when no account could be found:
# kept rather than dropped, for the operator to see.
inbound_messages = Table(
    "inbound_messages",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("account_id", Integer),
    Column("sender", String(20), nullable=False),  # the subscriber who wrote
    Column("recipient", String(20), nullable=False),  # our number it was sent to
    Column("text", Text, nullable=False),
    Column("parts", SmallInteger, nullable=False),
    Column("connector", String(64), nullable=False),
    Column("upstream_id", String(64)),
    Column("reply_to", BigInteger),  # the outbound message it answers
    Column("keyword", String(8)),  # stop, start or help when it was one
    Column("received_at", BigInteger, nullable=False),
    Index("ix_inbound_messages_account_id_id", "account_id", "id"),
    Index(
        "ix_inbound_messages_reply_to",
        "reply_to",
        sqlite_where=text("reply_to IS NOT NULL"),
        postgresql_where=text("reply_to IS NOT NULL"),
    ),
)

# Parts of long inbound messages waiting for their siblings (they may come in any order).
inbound_parts = Table(
    "inbound_parts",
    metadata,
    Column("connector", String(64), primary_key=True),
    Column("sender", String(20), primary_key=True),
    Column("recipient", String(20), primary_key=True),
    Column("ref", Integer, primary_key=True),
    Column("seq", SmallInteger, primary_key=True),
    Column("total", SmallInteger, nullable=False),
    Column("text", Text, nullable=False),
    Column("upstream_id", String(64)),
    Column("received_at", BigInteger, nullable=False, index=True),
)

# Numbers that asked an account to stop sending to them.
opt_outs = Table(
    "opt_outs",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("number", String(20), primary_key=True),
    Column("source", String(12), nullable=False),  # keyword or api
    Column("created_at", BigInteger, nullable=False),
)

# Per-account keyword rules; NULL columns take the defaults (domain/keywords.py).
inbound_settings = Table(
    "inbound_settings",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("stop_words", Text),
    Column("start_words", Text),
    Column("help_words", Text),
    Column("stop_reply", Text),
    Column("start_reply", Text),
    Column("help_reply", Text),
    Column("reply_window_s", Integer),
    Column("updated_at", BigInteger, nullable=False),
)

# Per-account webhook endpoints and the event types they take.
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("url", String(2048), nullable=False),
    Column("secret", String(80), nullable=False),
    Column("events", Text, nullable=False),  # comma-separated event types, or *
    Column("description", String(200)),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# One row per (event, target): an endpoint, or a per-send callback URL.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("account_id", Integer, nullable=False),
    Column("endpoint_id", BigInteger),  # NULL for a per-send callback
    Column("url", String(2048)),  # the callback URL when endpoint_id is NULL
    Column("event_id", BigInteger, nullable=False),  # outbox.id
    Column("order_key", BigInteger),  # events with the same key go out in order (message id)
    Column("state", String(10), nullable=False),  # pending, delivered, dead
    Column("attempts", SmallInteger, nullable=False, server_default=text("0")),
    Column("next_at", BigInteger, nullable=False),
    Column("last_status", SmallInteger),
    Column("last_error", String(255)),
    Column("created_at", BigInteger, nullable=False),
    Column("settled_at", BigInteger),
    Index(
        "ix_webhook_deliveries_pending",
        "id",
        sqlite_where=text("state = 'pending'"),
        postgresql_where=text("state = 'pending'"),
    ),
    Index("ix_webhook_deliveries_account_id_state_id", "account_id", "state", "id"),
)

# Connectors defined by operators through the API or CLI (those in the config file are not
# stored). `options` is the kind's settings as JSON.
connectors = Table(
    "connectors",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("options", Text, nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# What each node last saw of each connector it runs (binds, window use, counters) as JSON,
# refreshed every few seconds: how the CLI and other nodes see live state.
connector_status = Table(
    "connector_status",
    metadata,
    Column("node", String(40), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("state", Text, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# SMPP credentials of an account: customers bind to our SMPP server with them (one system_id
# per account). `dc0`/`dc1` say how the account's data_coding 0 and 1 are read (gsm7, latin1,
# ascii): SMPP leaves 0 to "the SMSC default alphabet" and some clients put GSM text in 1.
smpp_accounts = Table(
    "smpp_accounts",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("system_id", String(15), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("max_binds", SmallInteger, nullable=False),
    Column("dc0", String(8), nullable=False),
    Column("dc1", String(8), nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# The ids an SMPP customer was given that need more than the message row: a receipt (with the
# addresses as the customer wrote them), or an id other than the message's own (each part of a
# long message the customer sent in parts; submit_multi's one id for many messages).
smpp_submits = Table(
    "smpp_submits",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),  # as the customer knows it
    Column("message_id", BigInteger, primary_key=True, autoincrement=False),
    Column("account_id", Integer, nullable=False),
    Column("part_no", SmallInteger, nullable=False),
    Column("registered_delivery", SmallInteger, nullable=False),
    Column("source_addr", String(21), nullable=False),
    Column("source_ton", SmallInteger, nullable=False),
    Column("source_npi", SmallInteger, nullable=False),
    Column("dest_addr", String(21), nullable=False),
    Column("dest_ton", SmallInteger, nullable=False),
    Column("dest_npi", SmallInteger, nullable=False),
    Index("ix_smpp_submits_message_id", "message_id"),
)

# Parts of long messages a customer submits as UDH or SAR parts, held until every part came;
# `pdu` is the submit as received, each part already answered with `part_id`.
smpp_parts = Table(
    "smpp_parts",
    metadata,
    Column("account_id", Integer, primary_key=True),
    Column("source_addr", String(21), primary_key=True),
    Column("dest_addr", String(21), primary_key=True),
    Column("ref", Integer, primary_key=True),
    Column("total", SmallInteger, primary_key=True),
    Column("seq", SmallInteger, primary_key=True),
    Column("part_id", BigInteger, nullable=False),
    Column("pdu", LargeBinary, nullable=False),
    Column("received_at", BigInteger, nullable=False, index=True),
)

# deliver_sm (receipts and inbound messages) owed to SMPP customers, encoded with sequence 0.
# A row waits while the account has no receiver bind and goes once its deliver_sm_resp is OK;
# `next_at` is when it may be tried (again): a try in flight pushes it past the response timeout.
smpp_deliveries = Table(
    "smpp_deliveries",
    metadata,
    Column("id", _SERIAL, primary_key=True, autoincrement=True),
    Column("account_id", Integer, nullable=False),
    Column("pdu", LargeBinary, nullable=False),
    Column("attempts", SmallInteger, nullable=False, server_default=text("0")),
    Column("next_at", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_smpp_deliveries_account_id_id", "account_id", "id"),
)

# An account's address book (domain.contacts): one contact per number. `fields` is a JSON
# object of custom fields.
contacts = Table(
    "contacts",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("number", String(20), nullable=False),
    Column("first_name", String(64), nullable=False, server_default=text("''")),
    Column("last_name", String(64), nullable=False, server_default=text("''")),
    Column("time_zone", String(64)),
    Column("fields", Text, nullable=False, server_default=text("'{}'")),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    UniqueConstraint("account_id", "number"),
)

contact_groups = Table(
    "contact_groups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("account_id", "name"),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", Integer, ForeignKey("contact_groups.id"), primary_key=True),
    Column("contact_id", BigInteger, ForeignKey("contacts.id"), primary_key=True, index=True),
)

# Message templates of accounts (domain.templates), by name.
templates = Table(
    "templates",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("text", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# Campaigns (domain.campaigns): a send to an audience whose messages are stored at once, each
# with its release time; `state` is running, paused or canceled (services.campaigns).
campaigns = Table(
    "campaigns",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("state", String(10), nullable=False),
    Column("text", Text, nullable=False),  # the template, before it was filled
    Column("recipients", Integer, nullable=False),  # messages stored
    Column("skipped", Integer, nullable=False),  # opted out or refused when it was made
    Column("starts_at", BigInteger, nullable=False),  # the first release
    Column("ends_at", BigInteger, nullable=False),  # the last
    Column("paused_at", BigInteger),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    # What resuming it needs to place its releases still to come again: its daily hours
    # (HH:MM-HH:MM, ISO weekdays comma-joined; none: every day) in each recipient's zone, the
    # zone of recipients whose contact has none, and whether quiet hours pass it by.
    Column("hours", String(11)),
    Column("days", String(13)),
    Column("time_zone", String(64), nullable=False, server_default=text("'UTC'")),
    Column("urgent", Boolean, nullable=False, server_default=text("false")),
    Index("ix_campaigns_account_id_id", "account_id", "id"),
)
