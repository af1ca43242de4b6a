from odoo import models

from .crm_security_owned_mixin import ACCESS_MEMO_KEY, GRANT_DEPENDENCIES, GRANT_FACTS_KEY, SharedGrantFacts


class Base(models.AbstractModel):
    _inherit = "base"

    def modified(self, fnames, create=False, before=False):
        # a change of what the record rules read (owner, shares, teams, employees, companies, the
        # stage...) may change who may access customer data: forget the access checks already
        # passed, and the grant facts when a model they are read from changes
        if not fnames:  # e.g. a computed many2many assigned: nothing changes
            return super().modified(fnames, create=create, before=before)
        data = self.env.cr.precommit.data
        grants = self._name in GRANT_DEPENDENCIES or self._name in self.env["crm.security.supervision"]._depends
        if grants:
            access = True
            read = self.env["crm.security.owned.mixin"]._crm_security_grant_dependencies()[self._name]
            if any(isinstance(rec_id, int) for rec_id in self._ids) and any(fname in read for fname in fnames):
                SharedGrantFacts.note_change(self.env)  # saved records: the database changes
        else:
            changing = self.env["crm.security.owned.mixin"]._crm_security_fields_changing_access(self._name)
            access = changing is None or any(fname in changing or fname not in self._fields for fname in fnames)
        if access:
            data.pop(ACCESS_MEMO_KEY, None)
        if grants:
            data.pop(GRANT_FACTS_KEY, None)
        result = super().modified(fnames, create=create, before=before)
        if access:
            data.pop(ACCESS_MEMO_KEY, None)  # and those checked meanwhile
        if grants:
            data.pop(GRANT_FACTS_KEY, None)
        return result
