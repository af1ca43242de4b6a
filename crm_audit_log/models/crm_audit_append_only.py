from odoo import api, models
from odoo.exceptions import UserError


class CrmAuditAppendOnlyMixin(models.AbstractModel):
    """Rows only the system writes, with SQL: the ORM refuses to create, change or delete them
    (the database triggers of crm.audit.storage refuse UPDATE and DELETE as well)."""

    _name = "crm.audit.append.only.mixin"
    _description = "Append-only Audit Rows"

    def _crm_audit_refuse_change(self):
        raise UserError(self.env._(
            "Audit events cannot be created, changed or deleted: the log is append-only and written "
            "by the system."))

    @api.model_create_multi
    def create(self, vals_list):
        self._crm_audit_refuse_change()
        return super().create(vals_list)

    def write(self, vals):
        self._crm_audit_refuse_change()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_append_only(self):
        self._crm_audit_refuse_change()
