from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.values import MASK, text_value


class EventMany2one(fields.Many2one):
    """A many2one without a database foreign key: lines are inserted by the tens of thousands,
    and a foreign key check per row doubles the cost of the INSERT. Lines are only written with
    their event (same statement batch) and removed with it by the retention job."""

    def update_db_foreign_key(self, model, column):
        return


class CrmAuditLogLine(models.Model):
    """One field of one record in an event: old and new value.

    Besides these ORM fields, the table has two columns that no ORM path reads (added in `init`):
    `old_raw` and `new_raw`, the typed values (jsonb) needed to restore or revert. For a protected
    field (see `crm.audit.capture._crm_audit_protected_fields`), `old_text` and `new_text` stay
    empty: the value shown is computed from the raw column for the viewer, masked unless the
    protecting addon lets them see it.
    """

    _name = "crm.audit.log.line"
    _inherit = ["crm.audit.append.only.mixin"]
    _description = "Audit Field Change"
    _order = "log_id desc, id"
    _log_access = False

    log_id = EventMany2one("crm.audit.log", string="Event", required=True, readonly=True, ondelete="cascade")
    model = fields.Char(readonly=True)
    res_id = fields.Integer(string="Record ID", readonly=True)
    field_name = fields.Char(string="Field Name", readonly=True)
    field_type = fields.Char(readonly=True)
    field_description = fields.Char(string="Field", compute="_compute_field_description")
    lang = fields.Char(string="Language", readonly=True, help="For translated fields: the language that changed.")
    old_text = fields.Text(readonly=True)
    new_text = fields.Text(readonly=True)
    is_protected = fields.Boolean(string="Protected", readonly=True)
    old_value = fields.Text(string="Old Value", compute="_compute_values")
    new_value = fields.Text(string="New Value", compute="_compute_values")
    # the event, for the history lists
    date = fields.Datetime(related="log_id.create_date", string="Date")
    user_id = fields.Many2one(related="log_id.user_id", string="User")
    operation = fields.Selection(related="log_id.operation", string="Operation")
    channel = fields.Selection(related="log_id.channel", string="Channel")
    company_id = fields.Many2one(related="log_id.company_id", string="Company")

    def init(self):
        self.env["crm.audit.storage"]._crm_audit_init_line_storage()

    # ------------------------------------------------------------------ display
    @api.depends("model", "field_name")
    def _compute_field_description(self):
        descriptions = {}
        for line in self:
            key = (line.model, line.field_name)
            if key not in descriptions:
                field = self.env[line.model]._fields.get(line.field_name) if line.model in self.env else None
                descriptions[key] = field._description_string(self.env) if field else line.field_name
            description = descriptions[key]
            line.field_description = f"{description} ({line.lang})" if line.lang else description

    @api.depends("old_text", "new_text", "is_protected")
    @api.depends_context("uid")
    def _compute_values(self):
        protected = self.filtered("is_protected")
        for line in self - protected:
            line.old_value, line.new_value = line.old_text, line.new_text
        if protected:
            protected._crm_audit_compute_masked_values()

    def _crm_audit_compute_masked_values(self):
        """Values of protected fields, as the protecting addon lets the current user see them.

        Hook (duck-typed, implemented by crm_security): the audited model may define
        ``_crm_security_audit_mask(field_name, value, viewer)``, called on the audited record in
        the viewer's environment, returning the text to show (the value or a mask). Without it,
        protected values stay masked for everyone; the real value is only in the raw columns.
        """
        raw = self._crm_audit_raw_values()
        by_record = defaultdict(list)
        for line in self:
            by_record[(line.model, line.res_id)].append(line)
        viewer = self.env.user
        for (model, res_id), lines in by_record.items():
            record = self.env[model].browse(res_id) if model in self.env else None
            hook = getattr(record, "_crm_security_audit_mask", None)
            for line in lines:
                old_raw, new_raw = raw.get(line.id, (None, None))
                values = []
                for value in (text_value(line.field_type, old_raw), text_value(line.field_type, new_raw)):
                    if value is None:
                        values.append(False)
                    elif hook is None:
                        values.append(MASK)
                    else:
                        values.append(hook(line.field_name, value, viewer) or False)
                line.old_value, line.new_value = values

    def _crm_audit_raw_values(self):
        """{line id: (old raw, new raw)} straight from the system-only columns (restore, revert, masking)."""
        if not self.ids:
            return {}
        self.env.cr.execute(SQL(
            "SELECT id, old_raw, new_raw FROM crm_audit_log_line WHERE id = ANY(%s)", list(self.ids)))
        return {line_id: (old, new) for line_id, old, new in self.env.cr.fetchall()}

    # ------------------------------------------------------------------ who sees which lines
    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        query = super()._search(domain, offset, limit, order)
        if self.env.su:
            return query
        Visibility = self.env["crm.audit.visibility"]
        table = SQL.identifier(query.table)
        # the events' company rule, applied to their lines
        query.add_where(SQL(
            "EXISTS (SELECT 1 FROM crm_audit_log l WHERE l.id = %s.log_id"
            " AND (l.company_id IS NULL OR l.company_id = ANY(%s)))", table, list(self.env.companies.ids)))
        if not Visibility._crm_audit_sees_all():
            query.add_where(Visibility._crm_audit_line_filter(query.table, domain))
        return query

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if not self or operation != "read" or self.env.su:
            return result
        Visibility = self.env["crm.audit.visibility"]
        candidates = self - result[0] if result else self
        forbidden = self.browse(Visibility._crm_audit_forbidden_lines(
            candidates.ids, check_records=not Visibility._crm_audit_sees_all()))
        if not forbidden:
            return result
        if result:
            return result[0] | forbidden, result[1]
        return forbidden, lambda: self.env["ir.rule"]._make_access_error("read", forbidden)
