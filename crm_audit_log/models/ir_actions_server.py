from odoo import models

from ..tools import request_context


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    def run(self):
        # a scheduled action runs a server action: the cron channel wins
        with request_context.channel_scope("server_action", keep_outer=True):
            return super().run()
