from odoo import api, fields, models
from odoo.addons.base.models.res_users import check_identity
from odoo.exceptions import AccessDenied, ValidationError

from ..tools.netpolicy import login_matches


class ResUsers(models.Model):
    _inherit = "res.users"

    crm_security_supervision_ids = fields.One2many(
        "crm.security.supervision", "user_id", string="Managed by", readonly=True
    )
    crm_security_subordinate_ids = fields.One2many(
        "crm.security.supervision", "supervisor_id", string="Manages", readonly=True
    )
    crm_security_outside_domains = fields.Boolean(
        string="Login outside company domains", compute="_compute_crm_security_outside_domains",
        search="_search_crm_security_outside_domains")

    def _compute_crm_security_outside_domains(self):
        for user in self:
            domains = set(user.company_id.crm_security_email_domain_ids.mapped("name"))
            user.crm_security_outside_domains = bool(domains) and not user.share and not login_matches(
                user.login, domains)

    @api.model
    def _apply_ir_rules(self, query, mode="read"):
        # users inherit contacts, whose rules come with theirs: their SQL is kept as that of
        # contacts is (every many2one to a user and every user list searches them)
        if self.env.su or not self.env["crm.security.owned.mixin"]._crm_security_apply_rules_sql(self, query, mode):
            return super()._apply_ir_rules(query, mode)
        return None

    @classmethod
    def _login(cls, db, credential, user_agent_env):
        auth_info = super()._login(db, credential, user_agent_env)
        with cls.pool.cursor() as cr:
            env = api.Environment(cr, auth_info["uid"], {})
            if not env["crm.security.access"].sudo()._check_access(auth_info["uid"], "login"):
                raise AccessDenied()
        return auth_info

    @classmethod
    def check(cls, db, uid, passwd):
        """Every XML-RPC/JSON-RPC call (password or API key) checks the caller's address."""
        result = super().check(db, uid, passwd)
        with cls.pool.cursor() as cr:
            env = api.Environment(cr, uid, {})
            if not env["crm.security.access"].sudo()._check_access(uid, "rpc"):
                raise AccessDenied()
        return result

    def _mfa_type(self):
        """Users of the groups that must use two-factor authentication get Odoo's e-mail code
        (auth_totp_mail_enforce) when they have no authenticator app."""
        mfa = super()._mfa_type()
        if mfa is None and self._is_internal() and self.groups_id & self.company_ids.crm_security_2fa_group_ids:
            return "totp_mail"
        return mfa

    def _rpc_api_keys_only(self):
        """Close the gap of standard Odoo: who must use 2FA may not use RPC with a password."""
        return super()._rpc_api_keys_only() or self._mfa_type() is not None

    @api.constrains("login", "groups_id", "company_id", "company_ids")
    def _check_crm_security_login_domain(self):
        for user in self.filtered(lambda u: not u.share and u.active):
            domains = set(user.company_id.crm_security_email_domain_ids.mapped("name"))
            if domains and not login_matches(user.login, domains):
                raise ValidationError(self.env._(
                    "The login of %(user)s must be an e-mail address of the company: %(domains)s.",
                    user=user.name, domains=", ".join(sorted("@" + d for d in domains))))

    def _search_crm_security_outside_domains(self, operator, value):
        outside = self.sudo().search([("share", "=", False)]).filtered(
            lambda u: u.company_id.crm_security_email_domain_ids
            and not login_matches(u.login, set(u.company_id.crm_security_email_domain_ids.mapped("name"))))
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", outside.ids)]

    @check_identity
    def action_crm_security_confirm_identity(self):
        """Run behind Odoo's identity check: the password was just confirmed."""
        return {"type": "ir.actions.client", "tag": "display_notification", "params": {
            "type": "success", "message": self.env._("Password confirmed: you can now do the sensitive action.")}}

    @api.model_create_multi
    def create(self, vals_list):
        # the partner of a user is not a customer: no default owner
        return super(ResUsers, self.with_context(crm_security_no_default_owner=True)).create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        if "groups_id" in vals:
            self.env["res.partner"]._crm_security_invalidate_masks()  # field groups may have changed
        return result

    def _crm_security_masked_value(self, fname, value):
        """Users' contact fields come from their partner (_inherits); a user's partner is not a
        customer, so nothing is masked here."""
        return value

    def _crm_security_is_data_admin(self):
        self.ensure_one()
        return self._is_superuser() or self.has_group("crm_security.group_customer_data_admin")

    def _crm_security_colleague_ids(self):
        """Users this user may hand records over to: members and leaders of their sales teams,
        members of their departments, and the people they manage."""
        self.ensure_one()
        # sudo: team and employee data are read to decide, nothing is returned but user ids
        user = self.sudo()
        teams = user.crm_team_member_ids.crm_team_id
        users = teams.crm_team_member_ids.user_id | teams.user_id
        departments = user.employee_ids.department_id
        users |= departments.member_ids.user_id | departments.manager_id.user_id
        users |= user.crm_security_subordinate_ids.user_id
        return set((users - self).filtered("active").ids)

    @api.model
    def _crm_security_supervised_ids(self, user_ids):
        """Map each given owner to the set of users who manage them."""
        rows = self.env["crm.security.supervision"].sudo().search_read(
            [("user_id", "in", list(user_ids))], ["user_id", "supervisor_id"]
        )
        result = {uid: set() for uid in user_ids}
        for row in rows:
            result[row["user_id"][0]].add(row["supervisor_id"][0])
        return result
