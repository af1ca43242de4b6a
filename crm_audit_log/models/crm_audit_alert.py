import logging
from datetime import timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.tools import SQL

from .crm_audit_writer import MERGE

_logger = logging.getLogger(__name__)

BUFFER = "crm_audit_log.alerts"
CRON = "crm_audit_log.ir_cron_crm_audit_alerts"
JOBS_PER_RUN = 200
NAMES_SHOWN = 5
TEMPLATES = {
    "unlink": "crm_audit_log.mail_template_delete_alert",
    "export": "crm_audit_log.mail_template_export_alert",
}
ANOMALY_TEMPLATE = "crm_audit_log.mail_template_anomaly_alert"
DIGEST_TEMPLATE = "crm_audit_log.mail_template_export_digest"


class CrmAuditAlert(models.AbstractModel):
    """E-mail alerts on deletes and exports, anomaly alerts, and the weekly export digest.

    When the transaction commits, right after its audit events are written (precommit hook
    registered after the writer's), each alert becomes one row of `crm.audit.alert.job`, committed
    with the operation (a rolled-back operation alerts nobody) and processed by a cron triggered at
    once: rendering mails never slows down, blocks or undoes the user's delete or export. The
    mails are `mail.template` records rendered once per recipient in the recipient's language and
    only queued (`mail.mail`, sent by the mail queue cron): a mail server that is down never loses
    an alert, the queue retries later. A broken template is logged and skipped.
    """

    _name = "crm.audit.alert"
    _description = "Audit Alerts"

    # ------------------------------------------------------------------ queueing
    @api.model
    def _crm_audit_alert_names(self, kind, model, res_ids, snapshot_ref):
        """Names of the first records of an event (names only: never protected values): of an
        export, the records' display names; of a delete, the names its snapshot kept; of a login
        (an anomaly only), none."""
        if kind == "login":
            return []
        if kind == "unlink":
            if not snapshot_ref:
                return []
            self.env.cr.execute(SQL(
                """SELECT COALESCE(name, '#' || res_id) FROM crm_audit_snapshot
                    WHERE ref = %s AND kind = 'record' ORDER BY res_id LIMIT %s""", snapshot_ref, NAMES_SHOWN))
            return [row[0] for row in self.env.cr.fetchall()]
        if model not in self.env:
            return []
        # sudo: names only (the cron's context: no show_email-like keys from the client)
        records = self.env[model].sudo().browse(res_ids[:NAMES_SHOWN]).exists()
        return [rec.display_name or f"#{rec.id}" for rec in records]

    @api.model
    def _crm_audit_alert_queue(self, event, kind, merge_key=None):
        """Alert about `event` (pushed to the writer just before) when the transaction commits."""
        cr = self.env.cr
        if cr.readonly or event.get("denied") or not event.get("user_id"):
            return
        data = cr.precommit.data
        if merge_key is not None:
            event = (data.get(MERGE) or {}).get(merge_key, event)  # the one event of a grouped export
        queue = data.get(BUFFER)
        if queue is None:
            queue = data[BUFFER] = {}
            # superuser: the hook queues the alert jobs and triggers their cron
            cr.precommit.add(self.sudo().with_context({"lang": self.env.lang})._crm_audit_alert_flush)
        queue[id(event)] = (event, kind)

    def _crm_audit_alert_flush(self):
        queue = self.env.cr.precommit.data.pop(BUFFER, None) or {}
        # events without id were discarded with a rolled-back import test
        jobs = [(event["id"], kind) for event, kind in queue.values() if event.get("id")]
        if not jobs:
            return
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(CRON, raise_if_not_found=False)
        # the jobs and the trigger of their cron (the row `ir.cron._trigger` would create) in one
        # statement: this runs in every delete or export request
        self.env.cr.execute(SQL(
            """WITH jobs AS (INSERT INTO crm_audit_alert_job (log_id, kind) VALUES %(jobs)s RETURNING id)
               INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid, create_date, write_date)
               SELECT %(cron)s, now() AT TIME ZONE 'UTC', %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC',
                      now() AT TIME ZONE 'UTC'
                WHERE %(cron)s IS NOT NULL AND EXISTS (SELECT FROM jobs)""",
            jobs=SQL(", ").join(SQL("(%s, %s)", *job) for job in jobs), cron=cron_id or None, uid=self.env.uid))
        if cron_id:
            self.env.cr.postcommit.add(self.env["ir.cron"].browse(cron_id)._notifydb)  # wake the cron workers

    @api.model
    def _cron_send_alerts(self, limit=JOBS_PER_RUN):
        """Send the pending alerts, oldest first, `limit` per run (the cron runs again at once while
        some remain). Each alert in its own savepoint: a broken one is logged and dropped."""
        cr = self.env.cr
        cr.execute(SQL(
            """SELECT job.id, job.kind, log.id, log.user_id, log.company_id, log.model, log.record_count,
                      log.details->'fields', log.create_date, COALESCE(log.res_ids, ARRAY[log.res_id]),
                      log.details->>'snapshot'
                 FROM crm_audit_alert_job job LEFT JOIN crm_audit_log log ON log.id = job.log_id
             ORDER BY job.id LIMIT %s FOR UPDATE OF job SKIP LOCKED""", limit))
        rows = cr.fetchall()
        for _job_id, kind, log_id, user_id, company_id, model, count, paths, create_date, res_ids, ref in rows:
            if log_id is None:
                continue  # its event is gone (retention): nothing left to alert about
            event = {"id": log_id, "user_id": user_id, "company_id": company_id, "model": model,
                     "record_count": count, "create_date": create_date,
                     "details": {"fields": paths} if paths is not None else {}}
            try:
                with cr.savepoint():
                    event["alert_names"] = self._crm_audit_alert_names(kind, model, [i for i in res_ids if i], ref)
                    self._crm_audit_alert_event(event, kind)
            except Exception:
                _logger.exception("Audit alert for event #%s could not be prepared", log_id)
        if rows:
            cr.execute(SQL("DELETE FROM crm_audit_alert_job WHERE id = ANY(%s)", [row[0] for row in rows]))
            cr.execute(SQL("SELECT count(*) FROM crm_audit_alert_job"))
            self.env["ir.cron"]._notify_progress(done=len(rows), remaining=cr.fetchone()[0])
        return len(rows)

    # ------------------------------------------------------------------ delete and export alerts
    @api.model
    def _crm_audit_alert_event(self, event, kind):
        Users = self.env["res.users"].with_context(active_test=False)
        actor = Users.browse(event["user_id"]).exists()
        company = self.env["res.company"].browse(event["company_id"]).exists() or actor.company_id
        if not actor or not company:
            return
        if kind == "login":  # a login outside working hours: an anomaly, no alert about records
            self._crm_audit_anomaly_check(event, kind, actor, company)
            return
        enabled = company.crm_audit_alert_delete if kind == "unlink" else company.crm_audit_alert_export
        log = self.env["crm.audit.log"].browse(event["id"])
        if enabled:
            names = event.get("alert_names") or []
            count = event.get("record_count") or len(names)
            base = {
                "crm_audit_names": names,
                "crm_audit_more": max(0, count - len(names)),
                "crm_audit_count": count,
                "crm_audit_url": self._crm_audit_alert_url("crm.audit.log", log.id),
            }
            fields_list = (event.get("details") or {}).get("fields") if kind == "export" else None

            def values(lang):
                if fields_list is None:
                    return base
                return dict(base, crm_audit_fields=self._crm_audit_export_fields(event["model"], fields_list, lang))

            template = self.env.ref(TEMPLATES[kind], raise_if_not_found=False)
            if template:
                self._crm_audit_alert_send(template, log.id, self._crm_audit_alert_recipients(actor, company), values)
        self._crm_audit_anomaly_check(event, kind, actor, company)

    @api.model
    def _crm_audit_alert_url(self, model, res_id):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        return f"{base_url}/odoo/{model}/{res_id}"

    @api.model
    def _crm_audit_export_fields(self, model_name, paths, lang):
        """[{label, path, protected}] of exported field paths, labels in `lang`."""
        env = self.env(context=dict(self.env.context, lang=lang))
        capture = env["crm.audit.capture"]
        result = []
        for path in paths:
            model = env[model_name] if model_name in env.registry else None
            labels, protected = [], False
            names = path.split("/")
            for index, name in enumerate(names):
                field = model._fields.get(name) if model is not None else None
                if field is None:
                    labels.append(name)
                    model = None
                    continue
                labels.append(field._description_string(env))
                if index == len(names) - 1:
                    protected = bool(capture._crm_audit_protected_fields(model, [name]))
                model = env[field.comodel_name] if field.relational else None
            result.append({"path": path, "label": " / ".join(labels), "protected": protected})
        return result

    @api.model
    def _crm_audit_alert_recipients(self, actor, company):
        """Company root recipients, the actor's team leader (or department manager), the actor."""
        users = self._crm_audit_root_recipients(company) | self._crm_audit_alert_leader(actor) | actor
        return users.filtered(lambda user: user.active and user.partner_id.email)

    @api.model
    def _crm_audit_root_recipients(self, company):
        users = company.crm_audit_alert_user_ids
        if not users:
            admin = self.env.ref("base.user_admin", raise_if_not_found=False)
            if admin and admin.active and company in admin.company_ids:
                users = admin
        return users

    @api.model
    def _crm_audit_alert_leader(self, actor):
        """The leader of the actor's sales team, else the manager of their department (walking up
        the departments when the actor manages their own); nobody if neither."""
        Users = self.env["res.users"]
        leader = actor.sale_team_id.user_id if "sale_team_id" in actor._fields else Users
        if leader and leader != actor:
            return leader
        if "hr.employee" not in self.env:
            return Users
        employees = self.env["hr.employee"].search([("user_id", "=", actor.id)])
        for department in employees.department_id:
            seen = set()
            while department and department.id not in seen:
                seen.add(department.id)
                manager = department.manager_id.user_id
                if manager and manager != actor:
                    return manager
                department = department.parent_id
        return Users

    @api.model
    def _crm_audit_alert_send(self, template, res_id, users, values):
        """One queued mail per recipient, rendered in the recipient's language and time zone."""
        for user in users:
            lang = user.partner_id.lang or user.lang or "en_US"
            context = dict(values(lang), crm_audit_lang=lang, crm_audit_tz=user.tz or "UTC")
            template.with_context(**context).send_mail(res_id, force_send=False, email_values={
                "recipient_ids": [Command.link(user.partner_id.id)], "model": False, "res_id": False})
        if users:
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()

    # ------------------------------------------------------------------ anomalies
    @api.model
    def _crm_audit_anomaly_check(self, event, kind, actor, company):
        now = event["create_date"]
        window = timedelta(hours=max(1, company.crm_audit_anomaly_window))
        limit = {"export": company.crm_audit_anomaly_export_limit,
                 "unlink": company.crm_audit_anomaly_delete_limit}.get(kind, 0)
        if limit > 0:
            self.env.cr.execute(SQL(
                """SELECT COALESCE(sum(record_count), 0) FROM crm_audit_log
                    WHERE user_id = %s AND operation = %s AND NOT denied AND create_date > %s""",
                actor.id, kind, now - window))
            total = self.env.cr.fetchone()[0]
            if total > limit:
                self._crm_audit_anomaly_raise(actor, company, kind, total, limit, event, window)
        if company.crm_audit_offhours_alert and self._crm_audit_off_hours(now, company):
            self._crm_audit_anomaly_raise(actor, company, "off_hours", event.get("record_count") or 0, 0, event,
                                          window)

    @api.model
    def _crm_audit_off_hours(self, utc_time, company):
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        local = pytz.utc.localize(utc_time).astimezone(tz)
        hour = local.hour + local.minute / 60
        start, end = company.crm_audit_offhours_start, company.crm_audit_offhours_end
        if start == end:
            return False
        return start <= hour < end if start < end else (hour >= start or hour < end)

    @api.model
    def _crm_audit_anomaly_raise(self, actor, company, kind, count, limit, event, window):
        """Record the anomaly and alert the security officers, once per window, user and kind."""
        Anomaly = self.env["crm.audit.anomaly"]
        now = event["create_date"]
        if Anomaly.search_count([("user_id", "=", actor.id), ("kind", "=", kind), ("date", ">", now - window)],
                                limit=1):
            return
        anomaly = Anomaly.create({
            "user_id": actor.id, "company_id": company.id, "kind": kind, "record_count": count, "limit": limit,
            "window_hours": int(window.total_seconds() // 3600), "date": now, "log_id": event["id"],
            "model": event["model"],
        })
        officers = self.env.ref("crm_audit_log.group_audit_officer").users.filtered(
            lambda user: user.active and user.partner_id.email and company in user.company_ids)
        template = self.env.ref(ANOMALY_TEMPLATE, raise_if_not_found=False)
        if template and officers:
            url = self._crm_audit_alert_url("crm.audit.log", event["id"])
            self._crm_audit_alert_send(template, anomaly.id, officers, lambda lang: {"crm_audit_url": url})

    # ------------------------------------------------------------------ weekly digest
    @api.model
    def _cron_export_digest(self):
        """Exports of the last 7 days per user, to the root recipients of companies that want it."""
        template = self.env.ref(DIGEST_TEMPLATE, raise_if_not_found=False)
        if not template:
            return
        since = fields.Datetime.now() - timedelta(days=7)
        for company in self.env["res.company"].search([("crm_audit_digest_enabled", "=", True)]):
            rows = self._crm_audit_digest_rows(company, since)
            recipients = self._crm_audit_root_recipients(company).filtered(
                lambda user: user.active and user.partner_id.email)
            if rows and recipients:
                self._crm_audit_alert_send(template, company.id, recipients, lambda lang, rows=rows: {
                    "crm_audit_rows": rows, "crm_audit_since": since})

    @api.model
    def _crm_audit_digest_rows(self, company, since):
        self.env.cr.execute(SQL(
            """SELECT user_id, model, details->'fields', count(*), COALESCE(sum(record_count), 0)
                 FROM crm_audit_log
                WHERE operation = 'export' AND NOT denied AND company_id = %s AND create_date >= %s
                  AND user_id IS NOT NULL
             GROUP BY user_id, model, details->'fields'""", company.id, since))
        per_user = {}
        capture = self.env["crm.audit.capture"]
        for user_id, model, paths, exports, rows in self.env.cr.fetchall():
            entry = per_user.setdefault(user_id, {"exports": 0, "rows": 0, "protected": set()})
            entry["exports"] += exports
            entry["rows"] += rows
            if model in self.env and paths:
                names = [path.split("/")[0] for path in paths]
                entry["protected"] |= set(capture._crm_audit_protected_fields(self.env[model], names))
        users = self.env["res.users"].with_context(active_test=False).browse(list(per_user))
        return [{"user": user.name, "exports": per_user[user.id]["exports"], "rows": per_user[user.id]["rows"],
                 "protected": ", ".join(sorted(per_user[user.id]["protected"]))}
                for user in users.sorted("name")]
