from odoo import models

from .crm_security_owned_mixin import ACCESS_MEMO_KEY


class Base(models.AbstractModel):
    _inherit = "base"

    def modified(self, fnames, create=False, before=False):
        # any change may change who may access customer data (owner, shares, teams, employees,
        # groups, companies, rules, the matrix...): forget the access checks already passed
        if not fnames:  # e.g. a computed many2many assigned: nothing changes
            return super().modified(fnames, create=create, before=before)
        self.env.cr.precommit.data.pop(ACCESS_MEMO_KEY, None)
        result = super().modified(fnames, create=create, before=before)
        self.env.cr.precommit.data.pop(ACCESS_MEMO_KEY, None)  # and those checked meanwhile
        return result
