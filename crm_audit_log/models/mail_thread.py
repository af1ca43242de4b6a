from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def unlink(self):
        # mail.thread deletes the chatter before the records reach `base.unlink`: the snapshot
        # of deleted records is taken here for models with a chatter (see crm.audit.snapshot)
        if not self:
            return super().unlink()
        with self.env["crm.audit.snapshot"]._crm_audit_snapshot_early(self):
            return super().unlink()
