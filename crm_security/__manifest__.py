{
    "name": "CRM Security",
    "summary": "Owner-only customers and leads, sharing, offboarding, sensitive-field masking "
    "and access policies for Odoo CRM",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "author": "CRM Security Team",
    "website": "https://example.com/crm-security",
    "license": "LGPL-3",
    "depends": ["crm", "hr", "auth_totp_mail_enforce"],
    "data": [
        "security/crm_security_groups.xml",
        "security/ir.model.access.csv",
        "data/crm_security_data.xml",
        "data/crm_security_field_data.xml",
        "data/crm_customer_stage_data.xml",
        "wizard/crm_security_offboard_views.xml",
        "wizard/crm_security_reveal_request_views.xml",
        "views/crm_security_field_views.xml",
        "views/crm_customer_stage_views.xml",
        "views/crm_security_share_views.xml",
        "views/crm_security_access_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/crm_security_menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_security/static/src/**/*",
        ],
        "web.assets_tests": [
            "crm_security/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": False,
}
