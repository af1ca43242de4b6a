from odoo import api, models
from odoo.exceptions import AccessError

PROTECTED_MODELS = ("res.partner", "crm.lead", "crm.activity.report", "crm.security.share")


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _eval_context(self):
        """Adds the per-company switches of private mode to the rule context.

        The values only change when a company's configuration changes, which clears the
        registry caches (and so the per-user rule cache) in every worker.
        """
        context = super()._eval_context()
        # sudo: company settings are read to build the rule, nothing is returned to the user
        companies = self.env.companies.sudo()
        current = self.env.company.sudo()
        open_customers = companies.filtered(lambda c: not c.crm_security_private_customers).ids
        open_leads = companies.filtered(lambda c: not c.crm_security_private_leads).ids
        if not current.crm_security_private_customers:
            open_customers.append(False)
        if not current.crm_security_private_leads:
            open_leads.append(False)
        context.update(
            crm_open_customer_company_ids=open_customers,
            crm_open_lead_company_ids=open_leads,
            crm_company_partner_ids=self.env["res.company"].sudo().with_context(active_test=False)
            .search([]).partner_id.ids,
            # departments of all the user's employees (several companies); employee changes clear caches
            crm_user_department_ids=list(self.env["hr.employee"]._crm_security_department_ids(self.env.uid)),
            crm_matrix_leads=current.crm_security_matrix_leads,
        )
        return context

    def _make_access_error(self, operation, records):
        """For customer data, never name the records the user may not see, not even in debug mode."""
        if records._name not in PROTECTED_MODELS:
            return super()._make_access_error(operation, records)
        self = self.with_context(self.env.user.context_get())  # as core: in the user's language
        operations = {
            "read": self.env._("read"),
            "write": self.env._("modify"),
            "create": self.env._("create"),
            "unlink": self.env._("delete"),
        }
        description = self.env["ir.model"]._get(records._name).name or records._name
        return AccessError(
            self.env._(
                "You are not allowed to %(operation)s this %(document)s: it belongs to another person "
                "and has not been shared with you. Ask its owner or a customer-data administrator.",
                operation=operations[operation],
                document=description,
            )
        )
