from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from ..tools.masking import mask


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "crm.security.owned.mixin", "crm.security.masked.mixin"]
    _crm_security_owner_path = "crm_owner_id"
    _crm_security_share_link = ("partner_id", "commercial_partner_id")  # contacts follow their company

    crm_owner_id = fields.Many2one(
        "res.users",
        string="Owner",
        related="commercial_partner_id.user_id",
        store=True,
        index=True,
        help="The Salesperson of the company this contact belongs to (or of the contact itself): "
        "the person responsible for this customer.",
    )
    crm_security_share_ids = fields.One2many("crm.security.share", "partner_id", string="Shares")
    crm_security_is_company_partner = fields.Boolean(
        compute="_compute_crm_security_is_company_partner", search="_search_crm_security_is_company_partner")
    crm_security_is_user_partner = fields.Boolean(
        string="Partner of a User", compute="_compute_crm_security_is_user_partner",
        search="_search_crm_security_is_user_partner")

    def init(self):
        result = super().init()
        # the record rules ask for the partners of internal users (partner_share not set): few rows,
        # found through this index instead of a scan of every customer
        self.env.cr.execute(SQL(
            "CREATE INDEX IF NOT EXISTS res_partner_crm_security_partner_share_index ON res_partner (partner_share)"))
        # every column the record rules read, keyed by the stage of the customer: counting the
        # customers a user sees (a list counts up to 10,000 of them) reads this index instead of the
        # customers themselves, the customers of a matrix department's stages in a range of it (see
        # search_count); the rules' conditions are OR-ed, so the database would otherwise visit
        # every row it counts
        self.env.cr.execute(SQL("DROP INDEX IF EXISTS res_partner_crm_security_rules_index"))
        self.env.cr.execute(SQL(
            """CREATE INDEX IF NOT EXISTS res_partner_crm_security_visibility_index
               ON res_partner (crm_security_commercial_stage_id)
               INCLUDE (id, partner_share, company_id, commercial_partner_id, crm_owner_id)
               WHERE active"""))
        return result

    @api.depends("user_ids")
    def _compute_crm_security_is_user_partner(self):
        """The partners of active users, as the search below finds them: from the grant facts, which
        the record rules read anyway (reading `user_ids` searches the users under their own rules,
        a query and a fetch of each user for every customer the rules are checked on in Python)."""
        saved = self.filtered("id")
        user_partners = set(self._crm_security_grant_facts()["user_partners"]) if saved else set()
        for partner in saved:
            partner.crm_security_is_user_partner = partner.id in user_partners
        for partner in self - saved:  # a form's new record: its users as edited
            partner.crm_security_is_user_partner = bool(partner.user_ids)

    def _search_crm_security_is_user_partner(self, operator, value):
        """The partners of active users, as `user_ids != False` means, but as ids the database can
        look up by index and hash (a subquery in the record rules would make it scan every
        customer); read with the grant facts, once per transaction."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(operator)
        if (operator == "=") == value:
            return [("id", "in", self._crm_security_grant_facts()["user_partners"])]
        # sudo: the same set, as a subquery to negate it
        return [("id", "not in", self.env["res.users"].sudo()._search([]).select("partner_id"))]

    def _crm_security_company_partner_ids(self):
        # sudo: the partners of companies are public knowledge inside the database
        return self.env["res.company"].sudo().with_context(active_test=False).search([]).partner_id.ids

    def _compute_crm_security_is_company_partner(self):
        company_partners = set(self._crm_security_company_partner_ids())
        for partner in self:
            partner.crm_security_is_company_partner = partner.id in company_partners

    def _search_crm_security_is_company_partner(self, operator, value):
        if operator not in ("=", "!="):
            raise NotImplementedError(operator)
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", self._crm_security_company_partner_ids())]

    def _crm_security_owner(self):
        return self.commercial_partner_id.user_id

    def _crm_security_share_field(self):
        return "partner_id"

    @api.model
    def _crm_security_gets_default_owner(self, vals):
        """New customers belong to the internal user who creates them. Contacts follow their
        company; partners that Odoo creates for its own needs (users, companies, e-mail
        recipients) and vendors stay without owner, as in standard Odoo."""
        if vals.get("parent_id") or self.env.su or self.env.user.share:
            return False
        if self.env.context.get("crm_security_no_default_owner"):
            return False
        return self.env.context.get("res_partner_search_mode") != "supplier"

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "user_id" in fields_list and "user_id" not in values and self._crm_security_gets_default_owner(values):
            values["user_id"] = self.env.uid
        return values

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self._crm_security_gets_default_owner(vals):
                continue
            vals.setdefault("user_id", self.env.uid)
            if vals["user_id"] != self.env.uid:
                self.browse()._crm_security_check_target_owner(vals["user_id"])
        return super().create(vals_list)

    @api.model
    def find_or_create(self, email, assert_valid_email=False):
        # recipients found or created while sending mail are not anybody's customers
        return super(ResPartner, self.with_context(crm_security_no_default_owner=True)).find_or_create(
            email, assert_valid_email=assert_valid_email)

    def _find_or_create_from_emails(self, emails, additional_values=None):
        return super(ResPartner, self.with_context(crm_security_no_default_owner=True))._find_or_create_from_emails(
            emails, additional_values=additional_values)

    def write(self, vals):
        vals = self._crm_security_guard_protected_write(vals)
        if "user_id" not in vals or self.env.su:
            return super().write(vals)
        # contacts follow their company's owner: only companies and individuals are handed over
        return self._crm_security_write_owner(
            vals, self.filtered(lambda p: not p.parent_id), lambda records, values: super(ResPartner, records).write(values))

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        if not self.env.su and not self.env.user._crm_security_is_data_admin():
            # a copy belongs to whoever makes it, never silently to somebody else
            for partner, vals in zip(self, vals_list, strict=True):
                if not partner.parent_id and "user_id" not in (default or {}):
                    vals["user_id"] = self.env.uid
        return vals_list

    @api.depends_context("uid")
    def _compute_display_name(self):
        super()._compute_display_name()
        if not self.env.context.get("show_email"):
            return
        for partner in self:
            # sudo: the real address is only used to find it in the name and replace it
            email = partner.sudo().email
            if email and partner.display_name and partner._crm_security_field_masked("email"):
                partner.display_name = partner.display_name.replace(email, mask("email", email))

    def _message_get_suggested_recipients(self):
        return self._crm_security_mask_suggestions(super()._message_get_suggested_recipients())

    def _search_phone_mobile_search(self, operator, value):
        """phone_validation searches numbers in raw SQL: keep it to records whose numbers the user sees."""
        domain = super()._search_phone_mobile_search(operator, value)
        if self._crm_security_restricted("phone") or self._crm_security_restricted("mobile"):
            domain = expression.AND([domain, self._crm_security_unmasked_domain()])
        return domain
