"""Millions of audit events for the history scenario, inserted with SQL (runs inside Odoo).

The columns come from the tables as they are at run time: every column this module knows gets a
plausible value, the others keep their default. A NOT NULL column without default that this
module does not know makes the scenario "n/a" rather than a wrong benchmark.

Spread of the events (g = 1..total): 90 % single-record events on the benchmark customers (about
total / customers per customer, the salesman's first customer included), 9 % on leads, 1 % bulk
events naming 20 customers in `res_ids`; writes and creations carry one field line each (the
phone, protected, one time in three; else the city).
"""
import logging

_logger = logging.getLogger(__name__)

EVENT_EXPR = {
    "create_date": "(now() AT TIME ZONE 'UTC') - make_interval(secs => (%(total)s - g) * 3)",
    "company_id": "%(company)s",
    "user_id": "(%(uids)s::int[])[1 + g %% %(n_uids)s]",
    "is_sudo": "FALSE",
    "model": "CASE WHEN g %% 100 BETWEEN 90 AND 98 THEN 'crm.lead' ELSE 'res.partner' END",
    "res_id": """CASE WHEN g %% 100 = 99 THEN NULL
                      WHEN g %% 100 BETWEEN 90 AND 98 THEN 1 + g %% 5000
                      ELSE (%(first)s + (g::bigint * 7919) %% %(n)s)::int END""",
    "res_ids": """CASE WHEN g %% 100 = 99 THEN ARRAY(SELECT (%(first)s + ((g + k * 131)::bigint * 7919) %% %(n)s)::int
                                                     FROM generate_series(0, 19) k) END""",
    "record_count": "CASE WHEN g %% 100 = 99 THEN 20 ELSE 1 END",
    "operation": """CASE WHEN g %% 100 = 99 THEN 'export'
                         ELSE (ARRAY['write', 'read', 'write', 'create', 'read', 'write', 'read', 'write'])[1 + g %% 8]
                    END""",
    "channel": "(ARRAY['web', 'web', 'web', 'jsonrpc', 'xmlrpc'])[1 + g %% 5]",
    "denied": "FALSE",
    "ip_address": "'10.0.' || (g %% 250) || '.' || (g %% 199)",
    "user_agent": "'Mozilla/5.0 (X11; Linux x86_64) crm-bench'",
    "session_ref": "substr(md5((g %% 5000)::text), 1, 16)",
    "prev_digest": "md5(g::text) || md5((g + 1)::text)",
    "digest": "md5((g + 1)::text) || md5((g + 2)::text)",
}
LINE_EXPR = {
    "log_id": "e.id",
    "model": "e.model",
    "res_id": "e.res_id",
    "field_name": "CASE WHEN e.id %% 3 = 0 THEN 'phone' ELSE 'city' END",
    "field_type": "'char'",
    "old_text": "CASE WHEN e.id %% 3 = 0 THEN NULL ELSE 'Ha Noi' END",
    "new_text": "CASE WHEN e.id %% 3 = 0 THEN NULL ELSE 'Da Nang' END",
    "is_protected": "e.id %% 3 = 0",
    "old_raw": "CASE WHEN e.id %% 3 = 0 THEN to_jsonb('+84 28 3000' || e.id %% 1000) ELSE to_jsonb('Ha Noi'::text) END",
    "new_raw": "CASE WHEN e.id %% 3 = 0 THEN to_jsonb('+84 28 4000' || e.id %% 1000) ELSE to_jsonb('Da Nang'::text) END",
}
LOG, LINE = "crm_audit_log", "crm_audit_log_line"


def _columns(cr, table):
    """{column: required without default}."""
    cr.execute("""SELECT column_name, is_nullable = 'NO' AND column_default IS NULL
                    FROM information_schema.columns WHERE table_name = %s AND table_schema = current_schema()""",
               [table])
    return dict(cr.fetchall())


def check_tables(cr):
    """None when the events can be inserted, else why not."""
    for table, known in ((LOG, EVENT_EXPR), (LINE, LINE_EXPR)):
        columns = _columns(cr, table)
        if not columns:
            return f"no table {table}"
        unknown = sorted(col for col, required in columns.items() if required and col not in known and col != "id")
        if unknown:
            return f"{table} has required columns the benchmark does not know: {', '.join(unknown)}"
    return None


def insert_events(env, ids, start, total, chunk, progress):
    """Insert events start+1..total in one transaction (committed by `progress`); a note if impossible."""
    cr = env.cr
    reason = check_tables(cr)
    if reason:
        return f"history events not inserted: {reason}"
    cr.execute("SELECT min(id), count(*) FROM res_partner WHERE ref LIKE %s", ["BENCH%"])
    first, count = cr.fetchone()
    params = {"total": total, "company": ids["company"], "uids": ids["owners"], "n_uids": len(ids["owners"]),
              "first": first, "n": count}
    log_cols = [col for col in _columns(cr, LOG) if col in EVENT_EXPR]
    line_cols = [col for col in _columns(cr, LINE) if col in LINE_EXPR]
    # identifiers come from information_schema and the expressions are constants of this module
    query = f"""
        WITH e AS (
            INSERT INTO {LOG} ({", ".join(f'"{col}"' for col in log_cols)})
            SELECT {", ".join(EVENT_EXPR[col] for col in log_cols)}
              FROM generate_series(%(low)s, %(high)s) g
            RETURNING id, model, res_id, operation
        )
        INSERT INTO {LINE} ({", ".join(f'"{col}"' for col in line_cols)})
        SELECT {", ".join(LINE_EXPR[col] for col in line_cols)} FROM e WHERE e.operation IN ('write', 'create')
    """
    dropped = _drop_indexes(cr) if total - start >= 2 * chunk else []
    for low in range(start + 1, total + 1, chunk):
        high = min(low + chunk - 1, total)
        cr.execute(query, dict(params, low=low, high=high))
        _logger.warning("benchmark: %s / %s audit events inserted", high, total)
    for statement in dropped:
        cr.execute(statement)
    cr.execute(f"ANALYZE {LOG}")
    cr.execute(f"ANALYZE {LINE}")
    progress(total)
    return None


def _drop_indexes(cr):
    """Drop the secondary indexes of both tables for a big load; return the statements recreating them."""
    cr.execute("""SELECT indexname, indexdef FROM pg_indexes
                   WHERE tablename IN %s AND schemaname = current_schema() AND indexname NOT LIKE %s""",
               [(LOG, LINE), "%pkey"])
    rows = cr.fetchall()
    for name, _definition in rows:
        cr.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]
