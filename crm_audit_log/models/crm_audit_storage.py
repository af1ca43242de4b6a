import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.chain import EVENT_KEYS, GENESIS, LINE_KEYS, first_break
from .crm_audit_writer import LOCK_NAMESPACE

_logger = logging.getLogger(__name__)

VERIFY_CHUNK = 2000


class CrmAuditStorage(models.AbstractModel):
    """The log's tables beyond the ORM: indexes, append-only triggers, integrity check, retention.

    * per record: btree (model, res_id) for single-record events, GIN on `res_ids` (int[]) for bulk
      ones; lines: btree (res_id, log_id), the model checked on the few rows found;
    * time: BRIN on create_date; chains: btree (company, id);
    * ``crm_audit_log_appender_seq``: the transaction id of the last appender (see
      `crm.audit.writer._crm_audit_reserve`), kept in a sequence because sequences ignore rollbacks;
    * triggers refuse UPDATE, DELETE and TRUNCATE on both tables, except DELETE when the retention
      job has set the transaction-local flag ``crm_audit.allow_purge``.
    """

    _name = "crm.audit.storage"
    _description = "Audit Log Storage"

    # ------------------------------------------------------------------ DDL
    @api.model
    def _crm_audit_init_storage(self):
        cr = self.env.cr
        cr.execute(SQL("""
            ALTER TABLE crm_audit_log ADD COLUMN IF NOT EXISTS res_ids integer[];
            CREATE INDEX IF NOT EXISTS crm_audit_log_record_idx ON crm_audit_log (model, res_id)
                WHERE res_id IS NOT NULL;
            CREATE INDEX IF NOT EXISTS crm_audit_log_res_ids_idx ON crm_audit_log USING gin (res_ids)
                WHERE res_ids IS NOT NULL;
            CREATE INDEX IF NOT EXISTS crm_audit_log_create_date_brin ON crm_audit_log USING brin (create_date);
            CREATE INDEX IF NOT EXISTS crm_audit_log_chain_idx ON crm_audit_log ((COALESCE(company_id, 0)), id);
            CREATE SEQUENCE IF NOT EXISTS crm_audit_log_appender_seq;
        """))
        self._crm_audit_guard("crm_audit_log")
        self._crm_audit_init_append_function()

    @api.model
    def _crm_audit_init_append_function(self):
        """crm_audit_append: what crm.audit.writer's _crm_audit_reserve and _crm_audit_insert do,
        in one round trip: lock the chains, check the appender before us (see _crm_audit_reserve)
        and the users and companies, read the heads, then for each event take an id, compute its
        digest as chain.event_digest does (SHA-256 of the previous digest and the event's text
        around its id) and insert it, with its field lines when they come with it (the COPY of
        the lines is then one round trip less). Returns null ids, having written nothing, when the
        events must go the longer way."""
        self.env.cr.execute(SQL("""
            DROP FUNCTION IF EXISTS crm_audit_append(integer, integer[], integer[], integer[], jsonb);
            CREATE FUNCTION crm_audit_append(
                p_namespace integer, p_chains integer[], p_users integer[], p_companies integer[],
                p_events jsonb, OUT ids integer[], OUT digests text[], OUT lines_written boolean)
            LANGUAGE plpgsql AS $fn$
            DECLARE
                heads jsonb;
                event jsonb;
                chain text;
                new_id integer;
                new_digest text;
            BEGIN
                PERFORM pg_advisory_xact_lock(p_namespace, c) FROM unnest(p_chains) AS c;
                IF (SELECT count(*) FROM res_users WHERE id = ANY(p_users)) < cardinality(p_users)
                   OR (SELECT count(*) FROM res_company WHERE id = ANY(p_companies)) < cardinality(p_companies)
                   OR NOT (SELECT NOT is_called OR last_value = txid_current()
                                  OR txid_visible_in_snapshot(last_value, txid_current_snapshot())
                                  OR txid_status(last_value) IS DISTINCT FROM 'committed'
                             FROM crm_audit_log_appender_seq) THEN
                    RETURN;
                END IF;
                SELECT jsonb_object_agg(c, COALESCE(h.digest, repeat('0', 64))) INTO heads
                  FROM unnest(p_chains) AS c
                  LEFT JOIN LATERAL (SELECT l.digest FROM crm_audit_log l
                                      WHERE COALESCE(l.company_id, 0) = c
                                      ORDER BY l.id DESC LIMIT 1) h ON TRUE;
                ids := '{}';
                lines_written := false;
                digests := '{}';
                FOR event IN SELECT value FROM jsonb_array_elements(p_events) LOOP
                    chain := event->>'chain';
                    new_id := nextval('crm_audit_log_id_seq');
                    new_digest := encode(sha256(convert_to(
                        (heads->>chain) || (event->>'before') || new_id || (event->>'after'), 'UTF8')), 'hex');
                    INSERT INTO crm_audit_log (id, create_date, company_id, user_id, real_user_id, is_sudo, model,
                                               res_id, res_ids, record_count, operation, channel, denied,
                                               ip_address, user_agent, session_ref, details, prev_digest, digest)
                    SELECT new_id, r.create_date, r.company_id, r.user_id, r.real_user_id, r.is_sudo, r.model,
                           r.res_id, r.res_ids, r.record_count, r.operation, r.channel, r.denied,
                           r.ip_address, r.user_agent, r.session_ref, r.details, heads->>chain, new_digest
                      FROM jsonb_populate_record(NULL::crm_audit_log, event->'row') r;
                    IF event ? 'lines' THEN
                        -- [res_id, field_name, field_type, lang, old_text, new_text, is_protected,
                        --  old_raw, new_raw] per line, the raw values as JSON text
                        INSERT INTO crm_audit_log_line (log_id, model, res_id, field_name, field_type, lang,
                                                        old_text, new_text, is_protected, old_raw, new_raw)
                        SELECT new_id, event->'row'->>'model', (l->>0)::integer, l->>1, l->>2, l->>3, l->>4,
                               l->>5, (l->>6)::boolean, (l->>7)::jsonb, (l->>8)::jsonb
                          FROM jsonb_array_elements(event->'lines') AS l;
                        lines_written := true;
                    END IF;
                    heads := jsonb_set(heads, ARRAY[chain], to_jsonb(new_digest));
                    ids := ids || new_id;
                    digests := digests || new_digest;
                END LOOP;
                PERFORM setval('crm_audit_log_appender_seq', txid_current());
            END
            $fn$
        """))

    @api.model
    def _crm_audit_init_line_storage(self):
        self.env.cr.execute(SQL("""
            ALTER TABLE crm_audit_log_line ADD COLUMN IF NOT EXISTS old_raw jsonb;
            ALTER TABLE crm_audit_log_line ADD COLUMN IF NOT EXISTS new_raw jsonb;
            ALTER TABLE crm_audit_log_line DROP CONSTRAINT IF EXISTS crm_audit_log_line_log_id_fkey;
            CREATE INDEX IF NOT EXISTS crm_audit_log_line_log_idx ON crm_audit_log_line (log_id);
            DROP INDEX IF EXISTS crm_audit_log_line_record_idx;
            CREATE INDEX IF NOT EXISTS crm_audit_log_line_res_idx ON crm_audit_log_line (res_id, log_id);
        """))
        self._crm_audit_guard("crm_audit_log_line")

    @api.model
    def _crm_audit_guard(self, table):
        self._crm_audit_init_guard_function()
        self.env.cr.execute(SQL(
            """
            DROP TRIGGER IF EXISTS crm_audit_guard_rows ON %(t)s;
            CREATE TRIGGER crm_audit_guard_rows BEFORE UPDATE OR DELETE ON %(t)s
                FOR EACH ROW EXECUTE FUNCTION crm_audit_log_guard();
            DROP TRIGGER IF EXISTS crm_audit_guard_truncate ON %(t)s;
            CREATE TRIGGER crm_audit_guard_truncate BEFORE TRUNCATE ON %(t)s
                FOR EACH STATEMENT EXECUTE FUNCTION crm_audit_log_guard();
            """, t=SQL.identifier(table)))

    @api.model
    def _crm_audit_init_guard_function(self):
        self.env.cr.execute(SQL("""
            CREATE OR REPLACE FUNCTION crm_audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND current_setting('crm_audit.allow_purge', true) = 'on' THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                    MESSAGE = 'crm_audit_log: ' || TG_OP || ' on ' || TG_TABLE_NAME
                              || ' refused, the audit log is append-only';
            END
            $$;
        """))

    # ------------------------------------------------------------------ integrity
    @api.model
    def _crm_audit_chains(self):
        """Company keys of the chains (0: events without a company)."""
        # sudo: every company's chain is checked, the result names no record of them
        companies = self.env["res.company"].sudo().with_context(active_test=False).search([]).ids
        return [0, *companies]

    @api.model
    def _crm_audit_verify(self):
        """Check every chain; return {ok, checked, broken: [(company, event id, reason)], message}."""
        self.env.cr.flush()  # this transaction's own events first (as entering a savepoint would)
        checked, broken = 0, []
        for chain in self._crm_audit_chains():
            count, problem = self._crm_audit_verify_chain(chain)
            checked += count
            if problem:
                broken.append((chain, *problem))
        if broken:
            chain, event_id, reason = broken[0]
            message = self.env._(
                "Integrity check failed: the audit log was altered outside the application. First broken "
                "link: event #%(event)s (%(reason)s). %(count)s events checked.",
                event=event_id, reason=self._crm_audit_reason_label(reason), count=checked)
        else:
            message = self.env._("The audit log is intact: %(count)s events checked.", count=checked)
        details = {"checked": checked, "broken": [{"company_id": c or None, "event_id": e, "reason": r}
                                                  for c, e, r in broken]}
        capture = self.env["crm.audit.capture"]
        self.env["crm.audit.writer"]._crm_audit_push(
            capture._crm_audit_event(self.env.user, "verify", details=details, ids=[]))
        return {"ok": not broken, "checked": checked, "broken": broken, "message": message}

    @api.model
    def _crm_audit_reason_label(self, reason):
        return {
            "link": self.env._("an event before it is missing or was reordered"),
            "content": self.env._("its content or its changes were modified"),
            "start": self.env._("the oldest events were removed outside the retention job"),
        }[reason]

    @api.model
    def _crm_audit_verify_chain(self, chain):
        """(events checked, None or (event id, reason)) for one company's chain, in id order."""
        cr = self.env.cr
        columns = SQL(", ").join(SQL.identifier(key) for key in (*EVENT_KEYS, "prev_digest", "digest"))
        line_columns = SQL(", ").join(SQL.identifier(key) for key in ("log_id", *LINE_KEYS))
        last_id, expected, count = 0, None, 0
        while True:
            cr.execute(SQL(
                "SELECT %s FROM crm_audit_log WHERE COALESCE(company_id, 0) = %s AND id > %s ORDER BY id LIMIT %s",
                columns, chain, last_id, VERIFY_CHUNK))
            names = [desc[0] for desc in cr.description]
            events = [dict(zip(names, row, strict=False)) for row in cr.fetchall()]
            if not events:
                return count, None
            if expected is None and not self._crm_audit_valid_start(chain, events[0]["prev_digest"]):
                return count, (events[0]["id"], "start")
            cr.execute(SQL("SELECT %s FROM crm_audit_log_line WHERE log_id = ANY(%s) ORDER BY log_id, id",
                           line_columns, [event["id"] for event in events]))
            lines = {}
            for row in cr.fetchall():
                lines.setdefault(row[0], []).append(dict(zip(LINE_KEYS, row[1:], strict=False)))
            problem = first_break(events, lines, start_prev=expected or events[0]["prev_digest"])
            if problem:
                return count, (problem[0]["id"], problem[1])
            count += len(events)
            last_id, expected = events[-1]["id"], events[-1]["digest"]

    @api.model
    def _crm_audit_valid_start(self, chain, prev_digest):
        """The oldest event links to nothing, or to the head recorded by a retention run."""
        if prev_digest == GENESIS:
            return True
        self.env.cr.execute(SQL(
            """SELECT 1 FROM crm_audit_log WHERE COALESCE(company_id, 0) = %s AND operation = 'retention'
                AND details->>'anchor_prev_digest' = %s LIMIT 1""", chain, prev_digest))
        return bool(self.env.cr.fetchone())

    # ------------------------------------------------------------------ retention
    @api.model
    def _crm_audit_purge(self, batch_size=5000, max_batches=200):
        """Remove each company's events older than its retention, oldest first, in chunks.

        Only a prefix of each chain is removed, so the rest still verifies; every run logs one
        retention event per company, which records where the chain now starts.
        """
        cr = self.env.cr
        now = fields.Datetime.now()
        budget, more = max_batches, False
        # sudo: the retention job runs for every company (cron), reading their retention only
        for company in self.env["res.company"].sudo().with_context(active_test=False).search([]):
            days = company.crm_audit_retention_days
            if days <= 0:
                continue
            cutoff = now - timedelta(days=days)
            cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", LOCK_NAMESPACE, company.id))
            purged = snapshots = 0
            while budget > 0:
                cr.execute(SQL(
                    "SELECT id, create_date FROM crm_audit_log WHERE COALESCE(company_id, 0) = %s ORDER BY id LIMIT %s",
                    company.id, batch_size))
                rows = cr.fetchall()
                prefix = []
                for event_id, create_date in rows:
                    if create_date >= cutoff:
                        break
                    prefix.append(event_id)
                if not prefix:
                    break
                budget -= 1
                cr.execute(SQL("SELECT set_config('crm_audit.allow_purge', 'on', true)"))
                snapshots += self._crm_audit_purge_snapshots(prefix)
                cr.execute(SQL("DELETE FROM crm_audit_log_line WHERE log_id = ANY(%s)", prefix))
                cr.execute(SQL("DELETE FROM crm_audit_log WHERE id = ANY(%s)", prefix))
                cr.execute(SQL("SELECT set_config('crm_audit.allow_purge', 'off', true)"))
                purged += len(prefix)
                if len(prefix) < len(rows):
                    break
            else:
                more = True
            self._crm_audit_log_retention(company, days, cutoff, purged, snapshots)
            _logger.info("Audit retention: %s events (%s deleted-record copies) older than %s removed for company #%s",
                         purged, snapshots, cutoff, company.id)
        if more:
            self.env["ir.cron"]._notify_progress(done=max_batches, remaining=1)
        return True

    @api.model
    def _crm_audit_purge_snapshots(self, event_ids):
        """Remove the snapshots of the delete events `event_ids` (their copies of deleted records,
        restores included) as the events go: a copy of personal data is not kept longer than the
        record of its deletion. The files of copied attachments go back to Odoo's filestore
        garbage collector (which keeps files that attachments still use). Returns the number of
        deleted records whose copies were removed."""
        cr = self.env.cr
        cr.execute(SQL(
            """SELECT DISTINCT details->>'snapshot' FROM crm_audit_log
                WHERE id = ANY(%s) AND operation = 'unlink' AND details->>'snapshot' IS NOT NULL""", event_ids))
        refs = [row[0] for row in cr.fetchall()]
        if not refs:
            return 0
        cr.execute(SQL(
            """DELETE FROM crm_audit_snapshot WHERE ref = ANY(%s)
               RETURNING kind, CASE WHEN model = 'ir.attachment' THEN data->>'store_fname' END""", refs))
        rows = cr.fetchall()
        Attachment = self.env["ir.attachment"]
        for fname in {fname for _kind, fname in rows if fname}:
            Attachment._mark_for_gc(fname)
        return sum(1 for kind, _fname in rows if kind == "record")

    @api.model
    def _crm_audit_log_retention(self, company, days, cutoff, purged, snapshots=0):
        cr = self.env.cr
        cr.execute(SQL(
            "SELECT prev_digest FROM crm_audit_log WHERE COALESCE(company_id, 0) = %s ORDER BY id LIMIT 1",
            company.id))
        row = cr.fetchone()
        if row:
            anchor = row[0]
        else:
            anchor = self.env["crm.audit.writer"]._crm_audit_heads([company.id])[company.id]
        capture = self.env["crm.audit.capture"]
        event = capture._crm_audit_event(company, "retention", ids=[], details={
            "purged": purged, "snapshots_purged": snapshots, "retention_days": days, "cutoff": cutoff,
            "anchor_prev_digest": anchor})
        event["company_id"] = company.id
        self.env["crm.audit.writer"]._crm_audit_push(event)
