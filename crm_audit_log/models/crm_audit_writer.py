import io
import itertools
import logging
import threading
from contextlib import closing

import psycopg2
from psycopg2.extras import Json

from odoo import SUPERUSER_ID, api, models, tools
from odoo.tools import SQL, split_every

from ..tools.chain import GENESIS, copy_value, event_digest, event_digest_parts, line_canonical, normalize, to_json

_logger = logging.getLogger(__name__)

BUFFER = "crm_audit_log.events"
MERGE = "crm_audit_log.merge"
SEQUENCE = "crm_audit_log.seq"
GENERATION = "crm_audit_log.generation"
_generations = itertools.count(1)
LOCK_NAMESPACE = 0x0A0D17  # first key of pg_advisory_xact_lock(namespace, company)
EVENT_COLUMNS = (
    "id", "create_date", "company_id", "user_id", "real_user_id", "is_sudo", "model", "res_id", "res_ids",
    "record_count", "operation", "channel", "denied", "ip_address", "user_agent", "session_ref", "details",
    "prev_digest", "digest",
)
LINE_COLUMNS = (
    "log_id", "model", "res_id", "field_name", "field_type", "lang", "old_text", "new_text", "is_protected",
    "old_raw", "new_raw",
)
EVENT_BATCH, LINE_BATCH = 1000, 20000
# events appended by the database function at once (their lines' text goes to it for the digest):
# up to this many lines; bigger ones (bulk writes and deletes) are hashed here and sent once
AT_ONCE_LINES = 500


def _references(events):
    """The users and companies `events` refer to (sorted ids), which may be deleted meanwhile."""
    users = sorted({event[key] for event in events for key in ("user_id", "real_user_id") if event.get(key)})
    return users, sorted({event["company_id"] for event in events if event.get("company_id")})


def _testing():
    return getattr(threading.current_thread(), "testing", False)


class CrmAuditWriter(models.AbstractModel):
    """Writes audit events: buffered per transaction, appended at commit to the hash chain.

    * `_crm_audit_push`: the event belongs to the current transaction; it is written by a
      precommit hook (one multi-row INSERT per batch), and vanishes if the transaction rolls back.
      On a read-only cursor (Odoo 18 read-only requests) it is written after the request by a
      separate cursor instead (postcommit), so Odoo never re-runs the request in read-write mode.
    * `_crm_audit_push_detached`: the event must survive the transaction (refused actions): it is
      written by a separate cursor once the transaction ends, committed or not.
    * `_crm_audit_append`: chains and inserts events; the chain of each company is serialised with
      ``pg_advisory_xact_lock`` held until the end of the transaction.
    """

    _name = "crm.audit.writer"
    _description = "Audit Event Writer"

    # ------------------------------------------------------------------ buffering
    @api.model
    def _crm_audit_push(self, event, merge_key=None):
        cr = self.env.cr
        if cr.readonly:
            self._crm_audit_push_detached(event, on_rollback=False)
            return
        self._crm_audit_buffer(cr, event, merge_key)

    @api.model
    def _crm_audit_buffer(self, cr, event, merge_key=None):
        data = cr.precommit.data
        if BUFFER not in data:
            data[BUFFER], data[MERGE], data[GENERATION] = [], {}, next(_generations)
            # superuser: the hook writes the log with SQL on behalf of whoever made the change (who
            # may even be deleted by then); only the language of the texts comes from their context
            flusher = self.env(cr=cr, user=SUPERUSER_ID, context={"lang": self.env.context.get("lang")})
            cr.precommit.add(self.with_env(flusher)._crm_audit_flush)
        if merge_key is not None and merge_key in data[MERGE]:
            merged = data[MERGE][merge_key]
            known = set(merged["ids"])
            merged["ids"].extend(rec_id for rec_id in event["ids"] if rec_id not in known)
            return
        data[SEQUENCE] = event["seq"] = data.get(SEQUENCE, 0) + 1
        data[BUFFER].append(event)
        if merge_key is not None:
            data[MERGE][merge_key] = event

    @api.model
    def _crm_audit_mark(self):
        """A mark to discard the events pushed after it (see `_crm_audit_discard_since`)."""
        data = self.env.cr.precommit.data
        return data.get(GENERATION), data.get(SEQUENCE, 0)

    @api.model
    def _crm_audit_discard_since(self, mark):
        """Forget the events pushed since `mark`: their changes were rolled back by a raw savepoint."""
        data = self.env.cr.precommit.data
        generation, seq = mark
        buffer = data.get(BUFFER)
        if buffer is None:
            return
        # a buffer started after the mark (the older one was flushed) holds only later events
        keep_from = seq if data.get(GENERATION) == generation else 0
        buffer[:] = [event for event in buffer if event["seq"] <= keep_from]
        data[MERGE] = {key: event for key, event in data[MERGE].items() if event["seq"] <= keep_from}

    def _crm_audit_flush(self):
        data = self.env.cr.precommit.data
        buffer = data.pop(BUFFER, None)
        data.pop(MERGE, None)
        data.pop(GENERATION, None)
        # emptied in place too: a copy of the precommit data (TransactionCase restores one after
        # each test) must not hand these events over again
        events = list(buffer or ())
        if buffer:
            buffer.clear()
        if events:
            self._crm_audit_append(events)

    @api.model
    def _crm_audit_push_detached(self, event, on_rollback=True):
        """Write `event` outside the current transaction, after it ends (committed or rolled back)."""
        registry = self.env.registry
        if registry.in_test_mode():
            # HTTP tests share one transaction and TestCursor drops postcommit hooks: the test
            # transaction's own precommit hook is the closest equivalent (tests flush it)
            self._crm_audit_buffer(registry.test_cr, event)
            return
        cr = self.env.cr
        if _testing() and not cr.readonly:
            self._crm_audit_buffer(cr, event)
            return
        done = []

        def write():
            if not done:
                done.append(True)
                self._crm_audit_write_now(registry, [event])

        cr.postcommit.add(write)
        if on_rollback:
            cr.postrollback.add(write)

    @api.model
    def _crm_audit_write_now(self, registry, events):
        """Append `events` with a cursor of their own (never raises: the caller's work is done)."""
        # superuser: the events are already built; this only writes them (SQL), as the precommit hook does
        if registry.in_test_mode():
            env = api.Environment(registry.test_cr, SUPERUSER_ID, {})
            for event in events:
                env["crm.audit.writer"]._crm_audit_buffer(registry.test_cr, event)
            return
        try:
            with registry.cursor() as cr:
                cr.execute(SQL("SET LOCAL lock_timeout = '10s'"))
                api.Environment(cr, SUPERUSER_ID, {})["crm.audit.writer"]._crm_audit_append(events)
        except psycopg2.errors.LockNotAvailable:
            _logger.warning("Audit log busy: %d audit event(s) could not be written", len(events))
        except Exception:
            _logger.exception("Could not write %d audit event(s)", len(events))

    # ------------------------------------------------------------------ appending to the chain
    @api.model
    def _crm_audit_append(self, events):
        # while modules load, this addon may be being uninstalled (its tables dropped meanwhile);
        # a registry serving requests is not loading any
        if not self.env.registry.ready and not self._crm_audit_storage_ready(self.env.cr):
            return
        self.env["crm.audit.capture"]._crm_audit_finalize(events)
        for event in events:
            ids = event.pop("ids", None)
            if event.get("record_count") is None:
                event["record_count"] = len(ids or ())
            event["res_id"] = ids[0] if ids and len(ids) == 1 else None
            event["res_ids"] = ids if ids and len(ids) > 1 else None
        for event in events:
            for line in event["lines"]:
                if "canonical" in line:  # finished when captured (deletes)
                    continue
                line["old_json"] = None if line["old_raw"] is None else to_json(line["old_raw"])
                line["new_json"] = None if line["new_raw"] is None else to_json(line["new_raw"])
                line["canonical"] = line_canonical(line)
        appended = self._crm_audit_append_at_once(events)
        if not appended:
            heads, event_ids = self._crm_audit_reserve_for(events)
            for event, event_id in zip(events, event_ids, strict=True):
                chain = event["company_id"] or 0
                event["id"] = event_id
                event["prev_digest"] = heads[chain]
                event["digest"] = heads[chain] = event_digest(event["prev_digest"], event, event["lines"])
            self._crm_audit_insert(events)
        if appended != "with lines":
            self._crm_audit_insert_lines(events)

    @api.model
    def _crm_audit_append_at_once(self, events):
        """Append `events` in one round trip: the database function crm_audit_append (see
        crm.audit.storage) locks the chains, checks what _crm_audit_reserve checks, hands out the
        ids, computes each digest from the text around the id, and inserts the events with their
        lines when every line has its values (delete lines, finished when captured, go by COPY).
        "with lines" or True (lines still to write) when done; False, with nothing written, when
        it cannot: an event too big to send its lines twice, a user or company deleted meanwhile,
        or a previous appender that committed after our snapshot; then the events go the longer
        way (same chain)."""
        # while modules load, the function may not exist yet (or be from an older version)
        if not self.env.registry.ready or sum(len(event["lines"]) for event in events) > AT_ONCE_LINES:
            return False
        parts = [event_digest_parts(event, event["lines"]) for event in events]
        if None in parts:
            return False
        users, companies = _references(events)
        with_lines = self._crm_audit_append_takes_lines() and all(
            "old_json" in line for event in events for line in event["lines"])
        payload = []
        for event, (before, after) in zip(events, parts, strict=True):
            entry = {"chain": event["company_id"] or 0, "before": before, "after": after,
                     "row": {column: normalize(event.get(column)) for column in EVENT_COLUMNS[1:-2]}}
            if with_lines and event["lines"]:
                # the values `line_canonical` reads (the digest covers them as they are stored)
                entry["lines"] = [[line.get("res_id"), line.get("field_name"), line.get("field_type"),
                                   line.get("lang"), line.get("old_text"), line.get("new_text"),
                                   line.get("is_protected"), line["old_json"], line["new_json"]]
                                  for line in event["lines"]]
            payload.append(entry)
        self.env.cr.execute(SQL(
            "SELECT * FROM crm_audit_append(%s, %s::int[], %s::int[], %s::int[], %s)",
            LOCK_NAMESPACE, sorted({event["company_id"] or 0 for event in events}), users, companies,
            Json(payload)))
        ids, digests, *_lines_written = self.env.cr.fetchone()  # (a previous version: no third)
        if ids is None:
            return False
        for event, event_id, digest in zip(events, ids, digests, strict=True):
            event["id"], event["digest"] = event_id, digest
        return "with lines" if with_lines else True

    @api.model
    @tools.ormcache()
    def _crm_audit_append_takes_lines(self):
        """Whether crm_audit_append writes lines (this version's function; code deployed before
        its module is updated still finds the previous one)."""
        self.env.cr.execute(SQL(
            "SELECT 1 FROM pg_proc WHERE proname = 'crm_audit_append' AND 'lines_written' = ANY(proargnames)"))
        return bool(self.env.cr.fetchone())

    @api.model
    def _crm_audit_storage_ready(self, cr):
        """False while this addon is being uninstalled (its columns and tables are being dropped)."""
        cr.execute(SQL("""SELECT to_regclass('crm_audit_log') IS NOT NULL,
                                 (SELECT state FROM ir_module_module WHERE name = 'crm_audit_log')"""))
        exists, state = cr.fetchone()
        return exists and state != "to remove"

    @api.model
    def _crm_audit_reserve_for(self, events):
        """Reserve the ids and chain heads of `events` (see _crm_audit_reserve). Users and companies
        deleted in the transaction after an event was captured are checked in the same round trip:
        the event is kept, the vanished id moves into its details (and a vanished company's event
        into the chain of events without company)."""
        users, companies = _references(events)
        chains = sorted({event["company_id"] or 0 for event in events})
        heads, event_ids, found_users, found_companies = self._crm_audit_reserve(chains, len(events), users, companies)
        missing = {"user_id": set(users) - set(found_users), "company_id": set(companies) - set(found_companies)}
        if not (missing["user_id"] or missing["company_id"]):
            return heads, event_ids
        missing["real_user_id"] = missing["user_id"]
        for event in events:
            for key, gone in missing.items():
                if event.get(key) in gone:
                    event["details"] = dict(event.get("details") or {}, **{f"deleted_{key}": event[key]})
                    event[key] = None
        if missing["company_id"] and 0 not in heads:
            heads.update(self._crm_audit_reserve([0], 0, [], [])[0])
        return heads, event_ids

    @api.model
    def _crm_audit_reserve(self, companies, count, users=(), user_companies=()):
        """Lock the chains of `companies` (until the end of the transaction), read their heads and
        hand out `count` event ids, in id order; tell which of `users` and `user_companies` still
        exist: ({company: head digest}, [ids], [existing users], [existing companies]).

        One round trip. Odoo's transactions are REPEATABLE READ: once the lock is ours, our
        snapshot may predate events that the transaction holding the lock before us committed.
        Each appender leaves its transaction id in ``crm_audit_log_appender_seq`` (a sequence:
        rollbacks do not undo it): when that last appender is ourselves, was rolled back, or
        committed before our snapshot, our snapshot sees every head; otherwise (only then) the
        heads are read again with a fresh cursor.
        """
        cr = self.env.cr
        cr.execute(SQL(
            """SELECT pg_advisory_xact_lock(%(ns)s, company_id) FROM unnest(%(companies)s::int[]) AS c(company_id);
               WITH previous AS MATERIALIZED (
                   SELECT NOT is_called OR last_value = txid_current()
                          OR txid_visible_in_snapshot(last_value, txid_current_snapshot())
                          OR txid_status(last_value) IS DISTINCT FROM 'committed' AS seen
                     FROM crm_audit_log_appender_seq)
               SELECT ARRAY(SELECT nextval('crm_audit_log_id_seq') FROM generate_series(1, %(count)s)),
                      (SELECT seen FROM previous), %(heads)s,
                      -- read first (the CTE), then we are the last appender
                      (SELECT setval('crm_audit_log_appender_seq', txid_current()) FROM previous),
                      ARRAY(SELECT id FROM res_users WHERE id = ANY(%(users)s::int[])),
                      ARRAY(SELECT id FROM res_company WHERE id = ANY(%(user_companies)s::int[]))""",
            ns=LOCK_NAMESPACE, companies=companies, count=count, heads=self._crm_audit_heads_sql(companies),
            users=list(users), user_companies=list(user_companies)))
        event_ids, current, rows, _, found_users, found_companies = cr.fetchone()
        heads = {company_id: (0, GENESIS) for company_id in companies}
        self._crm_audit_update_heads(heads, rows)
        # tests share one transaction; during module loading this transaction may hold DDL locks
        # on the table (a fresh cursor would wait for ourselves) and no other worker appends
        registry = self.env.registry
        if not current and registry.ready and not (registry.in_test_mode() or _testing()):
            try:
                with closing(registry.cursor()) as fresh:
                    fresh.execute(SQL("SET LOCAL lock_timeout = '5s'; SELECT %s",
                                      self._crm_audit_heads_sql(companies)))
                    self._crm_audit_update_heads(heads, fresh.fetchone()[0])
            except (psycopg2.errors.LockNotAvailable, psycopg2.errors.UndefinedTable):
                _logger.warning("Audit chain head read from this transaction only", exc_info=True)
        heads = {company_id: digest for company_id, (_id, digest) in heads.items()}
        return heads, sorted(event_ids), found_users, found_companies

    @api.model
    def _crm_audit_heads(self, companies):
        """{company: last digest of its chain} as this transaction sees it (no lock taken)."""
        self.env.cr.execute(SQL("SELECT %s", self._crm_audit_heads_sql(companies)))
        heads = {company_id: (0, GENESIS) for company_id in companies}
        self._crm_audit_update_heads(heads, self.env.cr.fetchone()[0])
        return {company_id: digest for company_id, (_id, digest) in heads.items()}

    @api.model
    def _crm_audit_heads_sql(self, companies):
        """[[company, last event id, its digest]] of each company's chain (id null: empty chain)."""
        return SQL("""ARRAY(SELECT json_build_array(c.company_id, h.id, h.digest)
                              FROM unnest(%s::int[]) AS c(company_id)
                              LEFT JOIN LATERAL (SELECT id, digest FROM crm_audit_log
                                                  WHERE COALESCE(company_id, 0) = c.company_id
                                                  ORDER BY id DESC LIMIT 1) h ON TRUE)""", companies)

    @api.model
    def _crm_audit_update_heads(self, heads, rows):
        for company_id, event_id, digest in rows:
            if event_id and event_id > heads[company_id][0]:
                heads[company_id] = (event_id, digest)

    @api.model
    def _crm_audit_insert(self, events):
        cr = self.env.cr
        columns = SQL(", ").join(SQL.identifier(column) for column in EVENT_COLUMNS)
        for batch in split_every(EVENT_BATCH, events):
            rows = [
                tuple(Json(event[c]) if c == "details" and event[c] is not None else event[c] for c in EVENT_COLUMNS)
                for event in batch
            ]
            cr.execute(SQL("INSERT INTO crm_audit_log (%s) VALUES %s", columns, SQL(", ").join(rows)))

    @api.model
    def _crm_audit_insert_lines(self, events):
        cr = self.env.cr
        # lines are many (one per field and record): PostgreSQL's bulk load, COPY, is 5x faster
        # than a multi-row INSERT here (no per-value quoting, no array parsing)
        columns = ", ".join(LINE_COLUMNS)
        lines = [(f"{event['id']}\t{copy_value(event['model'])}\t", line) for event in events for line in event["lines"]]
        for batch in split_every(LINE_BATCH, lines):
            buffer = io.StringIO()
            buffer.writelines(f"{head}{line['canonical']}\n" for head, line in batch)
            buffer.seek(0)
            cr.copy_expert(f"COPY crm_audit_log_line ({columns}) FROM STDIN", buffer)
