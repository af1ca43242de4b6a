from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.crm_audit_log_line import EventMany2one
from ..tools.values import is_secret

NOT_REVERTIBLE = ("one2many", "binary")


class CrmAuditRevert(models.TransientModel):
    """Put back the old values of chosen fields of an edit event, as the user (their rights apply);
    the revert is an ordinary edit, logged as such."""

    _name = "crm.audit.revert"
    _description = "Revert an Edit"

    event_id = EventMany2one("crm.audit.log", string="Edit Event", required=True, readonly=True,
                               domain=[("operation", "=", "write")])
    line_ids = fields.One2many("crm.audit.revert.line", "revert_id", string="Fields")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        event_id = values.get("event_id") or (
            self.env.context.get("active_id") if self.env.context.get("active_model") == "crm.audit.log" else None)
        if not event_id:
            return values
        event = self.env["crm.audit.log"].browse(event_id)
        if event.operation != "write":
            raise UserError(self.env._("Only edits can be reverted."))
        values["event_id"] = event.id
        if "line_ids" in fields_list:
            values["line_ids"] = [Command.create({"log_line_id": line.id, "selected": True})
                                  for line in event.line_ids if self._crm_audit_revertible(event.model, line)]
        return values

    @api.model
    def _crm_audit_revertible(self, model, line):
        field = self.env[model]._fields.get(line.field_name) if model in self.env else None
        return field is not None and field.store and field.type not in NOT_REVERTIBLE \
            and not is_secret(field.name, field.groups)

    def action_revert(self):
        self.ensure_one()
        if not self.env.user.has_group("crm_audit_log.group_audit_restore"):
            raise AccessError(self.env._("You are not allowed to revert edits."))
        lines = self.line_ids.filtered("selected").log_line_id
        if not lines:
            raise UserError(self.env._("Choose the fields to put back."))
        Model = self.env[self.event_id.model]
        # sudo: the raw old values are written back as they were, never shown
        raw = lines.sudo()._crm_audit_raw_values()
        writes, notes = defaultdict(dict), []
        for line in lines:
            if not self._crm_audit_revertible(Model._name, line):
                continue
            field = Model._fields[line.field_name]
            value = self._crm_audit_write_value(field, raw.get(line.id, (None, None))[0], notes)
            writes[(line.res_id, line.lang or None)][field.name] = value
        missing = []
        for (res_id, lang), vals in writes.items():
            record = Model.browse(res_id)
            if not record.sudo().exists():  # sudo: existence only; the write below runs as the user
                missing.append(res_id)
                continue
            (record.with_context(lang=lang) if lang else record).write(vals)
        if missing:
            notes.append(self.env._("Records no longer there: %(ids)s", ids=", ".join(map(str, missing))))
        message = self.env._("The old values were put back.")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Revert"),
                "message": " ".join([message, *notes]),
                "type": "warning" if notes else "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _crm_audit_write_value(self, field, raw, notes):
        """The value to write for a raw logged value (relations only to records that still exist)."""
        if raw is None:
            return [Command.clear()] if field.type == "many2many" else False
        if field.type == "many2one":
            target = raw[0] if isinstance(raw, list) else raw
            # sudo: existence only
            if self.env[field.comodel_name].sudo().browse(target).exists():
                return target
            notes.append(self.env._("%(field)s: the old record no longer exists.",
                                    field=field._description_string(self.env)))
            return False
        if field.type == "many2many":
            existing = self.env[field.comodel_name].sudo().browse(raw).exists()  # sudo: existence only
            return [Command.set(existing.ids)]
        return raw


class CrmAuditRevertLine(models.TransientModel):
    _name = "crm.audit.revert.line"
    _description = "Field to Revert"

    revert_id = fields.Many2one("crm.audit.revert", required=True, ondelete="cascade")
    log_line_id = EventMany2one("crm.audit.log.line", string="Change", required=True, ondelete="cascade")
    selected = fields.Boolean(string="Put Back", default=True)
    res_id = fields.Integer(related="log_line_id.res_id")
    field_description = fields.Char(related="log_line_id.field_description", string="Field")
    old_value = fields.Text(related="log_line_id.old_value", string="Old Value")
    new_value = fields.Text(related="log_line_id.new_value", string="New Value")
