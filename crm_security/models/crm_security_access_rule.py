from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.netpolicy import normalize_domain, parse_network


class CrmSecurityPolicyMixin(models.AbstractModel):
    """Policy records of a company: changing them asks for the password again and applies at once."""

    _name = "crm.security.policy.mixin"
    _description = "Access Policy Record"

    @api.model_create_multi
    def create(self, vals_list):
        self.env["crm.security.access"]._require_identity()
        records = super().create(vals_list)
        records.company_id._crm_security_policy_changed()
        return records

    def write(self, vals):
        self.env["crm.security.access"]._require_identity()
        companies = self.company_id
        result = super().write(vals)
        (companies | self.company_id)._crm_security_policy_changed()
        return result

    def unlink(self):
        self.env["crm.security.access"]._require_identity()
        companies = self.company_id
        result = super().unlink()
        companies._crm_security_policy_changed()
        return result


class CrmSecurityIpRule(models.Model):
    """An address or range the users of a company (or of some groups) may connect from."""

    _name = "crm.security.ip.rule"
    _inherit = ["crm.security.policy.mixin"]
    _description = "IP Allowlist Entry"
    _order = "company_id, sequence, id"

    sequence = fields.Integer(default=10)
    company_id = fields.Many2one("res.company", required=True, default=lambda s: s.env.company, index=True)
    network = fields.Char(string="Address or range", required=True,
                          help="An IPv4 or IPv6 address (203.0.113.7) or a CIDR range (203.0.113.0/24, 2001:db8::/32).")
    name = fields.Char(string="Description", help="e.g. Head office, VPN")
    group_ids = fields.Many2many(
        "res.groups", string="Only for", help="Leave empty: the entry applies to every user of the company.")
    active = fields.Boolean(default=True)

    @api.constrains("network")
    def _check_network(self):
        for rule in self:
            try:
                parse_network(rule.network)
            except ValueError as exc:
                if str(exc) == "host bits set":
                    raise ValidationError(self.env._(
                        "%(range)s is not a network address: its host bits are set (e.g. use 10.0.0.0/24, "
                        "not 10.0.0.5/24).", range=rule.network)) from exc
                raise ValidationError(self.env._(
                    "%(value)s is not a valid IPv4/IPv6 address or CIDR range.", value=rule.network)) from exc

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("network"):
                vals["network"] = vals["network"].strip()
        return super().create(vals_list)


class CrmSecurityEmailDomain(models.Model):
    """An e-mail domain the logins of a company's internal users must belong to."""

    _name = "crm.security.email.domain"
    _inherit = ["crm.security.policy.mixin"]
    _description = "Company E-mail Domain"
    _order = "company_id, name"

    company_id = fields.Many2one("res.company", required=True, default=lambda s: s.env.company, index=True)
    name = fields.Char(string="Domain", required=True, help="e.g. congty.vn (without @)")

    _sql_constraints = [("name_company_unique", "UNIQUE(company_id, name)", "This domain is already listed.")]

    @api.model
    def _normalize(self, value):
        try:
            return normalize_domain(value)
        except ValueError as exc:
            if str(exc) == "at sign":
                raise ValidationError(self.env._(
                    "Write the domain without @: %(value)s", value=value)) from exc
            raise ValidationError(self.env._("%(value)s is not a valid domain name.", value=value)) from exc

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals["name"] = self._normalize(vals.get("name"))
        return super().create(vals_list)

    def write(self, vals):
        if "name" in vals:
            vals = dict(vals, name=self._normalize(vals["name"]))
        return super().write(vals)
