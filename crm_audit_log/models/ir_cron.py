from odoo import models

from ..tools import request_context


class IrCron(models.Model):
    _inherit = "ir.cron"

    def _callback(self, cron_name, server_action_id):
        with request_context.channel_scope("cron"):
            return super()._callback(cron_name, server_action_id)

    def method_direct_trigger(self):
        with request_context.channel_scope("cron"):
            return super().method_direct_trigger()
