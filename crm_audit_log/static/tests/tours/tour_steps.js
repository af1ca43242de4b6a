/** Steps the tours of this addon share. */

export function openAuditApp() {
    return [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Audit app",
            trigger: ".o-dropdown-item[data-menu-xmlid='crm_audit_log.crm_audit_log_menu_root']",
            run: "click",
        },
    ];
}
