import functools

from odoo import api, models
from odoo.osv import expression

# Followers of these documents are visible only with the document (core has no rule on them).
PROTECTED_DOCUMENTS = ("res.partner", "crm.lead")


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    @api.model
    def _crm_security_document_domain(self):
        terms = [[("res_model", "not in", PROTECTED_DOCUMENTS)]]
        for model in PROTECTED_DOCUMENTS:
            # the subquery applies the user's record rules on the document
            terms.append([("res_model", "=", model), ("res_id", "in", self.env[model]._search([]))])
        return expression.OR(terms)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if self.env.su:
            return super()._search(domain, offset, limit, order)
        domain = expression.AND([domain or [], self._crm_security_document_domain()])
        return super()._search(domain, offset, limit, order)

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result or self.env.su or operation != "read":
            return result
        # sudo: only res_model/res_id are read, to check the user's access to the documents
        forbidden = self.browse()
        for follower in self.sudo():
            if follower.res_model in PROTECTED_DOCUMENTS and not self.env[follower.res_model].browse(
                    follower.res_id).has_access("read"):
                forbidden |= self.browse(follower.id)
        if forbidden:
            first = forbidden.sudo()[:1]
            document = self.env[first.res_model].browse(first.res_id)
            return forbidden, functools.partial(self.env["ir.rule"]._make_access_error, "read", document)
        return None

    # ------------------------------------------------------------------ masking
    def _read_format(self, fnames, load="_classic_read"):
        """The partner's contact details shown here are related fields: mask them as the partner does."""
        result = super()._read_format(fnames, load)
        for values in result:
            record = self.browse(values["id"])
            for fname in ("email",):
                if values.get(fname):
                    values[fname] = record._crm_security_masked_value(fname, values[fname])
        return result

    def _crm_security_masked_value(self, fname, value):
        """A follower shows its partner's e-mail: mask it as the partner masks it."""
        if fname != "email" or not value:
            return value
        return self.partner_id._crm_security_masked_value("email", value)
